"""Reflex state: thin classes that call services and hold one page of view data."""
