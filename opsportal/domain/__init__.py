"""Pure business rules: no I/O, no database, no web framework."""
