"""Builders and database helpers shared by the service and CLI tests."""
