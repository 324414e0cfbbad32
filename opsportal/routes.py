"""Every route of the portal, named once."""

LOGIN = "/login"
DASHBOARD = "/"
ORGANIZATION = "/organizations/[org_id]"
ACCOUNT = "/account"
CREDITS = "/credits"
STAFF = "/staff"


def organization(org_id: int | str) -> str:
    return f"/organizations/{org_id}"
