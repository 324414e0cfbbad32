"""Password hashing and tokens: the only place that knows argon2 and JOSE."""
