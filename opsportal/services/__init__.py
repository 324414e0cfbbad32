"""Use cases: one function per thing a user does, one transaction each, authorization inside."""

# Registers the change feed's session hooks wherever a service can commit (backend, CLI, jobs, tests).
from opsportal.services import changes as _changes  # noqa: E402,F401
