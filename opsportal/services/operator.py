"""The actor for trusted operator commands (the CLI on the server, cron jobs)."""

from opsportal.domain.roles import Role
from opsportal.services.authz import Actor

OPERATOR = Actor(
    user_id=0,
    role=Role.staff_admin,
    organization_id=None,
    session_id="operator",
    email="operator@localhost",
    full_name="Operator",
)
