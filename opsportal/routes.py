"""Every route of the portal, named once."""

LOGIN = "/login"
DASHBOARD = "/"
ORGANIZATION = "/organizations/[org_id]"
ACCOUNT = "/account"
CREDITS = "/credits"
TASKS = "/tasks"
NEW_TICKET = "/tasks/new"
TASK = "/tasks/[task_id]"
KB = "/kb"
KB_ARTICLE = "/kb/[slug]"
STAFF_QUEUE = "/staff/queue"
STAFF_TASK = "/staff/tasks/[task_id]"
STAFF = "/staff"


def organization(org_id: int | str) -> str:
    return f"/organizations/{org_id}"


def task(task_id: int | str) -> str:
    return f"/tasks/{task_id}"


def staff_task(task_id: int | str) -> str:
    return f"/staff/tasks/{task_id}"


def kb_article(slug: str) -> str:
    return f"/kb/{slug}"
