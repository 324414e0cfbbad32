"""Every route of the portal, named once."""

LOGIN = "/login"
DASHBOARD = "/"
# Plain HTTP routes (api/session_routes.py) that set and clear the HttpOnly session cookie; forms POST to them.
SIGN_IN_ACTION = "/auth/sign-in"
SIGN_OUT_ACTION = "/auth/sign-out"
LOGIN_CODE = "/login/code"  # the second step of signing in: the authenticator app's code (or a recovery code)
VERIFY_CODE_ACTION = "/auth/verify-code"
ORGANIZATION = "/organizations/[org_id]"
ACCOUNT = "/account"
CREDITS = "/credits"
TASKS = "/tasks"
NEW_TICKET = "/tasks/new"
TASK = "/tasks/[task_id]"
KB = "/kb"
KB_ARTICLE = "/kb/[slug]"
STAFF_QUEUE = "/staff/queue"
STAFF_SLA = "/staff/sla"  # ?month=YYYY-MM: service-level breaches of a month
STAFF_TASK = "/staff/tasks/[task_id]"
STAFF = "/staff"
INVOICES = "/billing/invoices"
INVOICE = "/billing/invoices/[invoice_id]"
BUY_HOURS = "/billing/hours"
CHECKOUT_SUCCESS = "/billing/checkout/success"  # Stripe sends the customer back here (services.checkout_sessions)
STAFF_BILLING = "/staff/billing"
STAFF_INVOICE = "/staff/invoices/[invoice_id]"
STAFF_HOUR_BLOCKS = "/staff/hour-blocks"


def safe_next(target: str) -> str:
    """``target`` when it is a path of this site (not the login page), else the dashboard.

    Only same-site paths: an attacker's ?next=https://evil.example (or //evil.example) must not redirect away.
    """
    # Browsers read a backslash as a slash and drop tabs and newlines: "/\\evil" and "/\t/evil" lead away too.
    if target.startswith("/") and not target.startswith("//") and not target.startswith(LOGIN) \
            and not any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return target
    return DASHBOARD


def landing(is_staff: bool, next_param: str) -> str:
    """Where a signed-in user goes from the login page: ``?next=`` if safe, else their home (staff: /staff)."""
    target = safe_next(next_param)
    if is_staff and target == DASHBOARD:
        return STAFF
    return target


def organization(org_id: int | str) -> str:
    return f"/organizations/{org_id}"


def task(task_id: int | str) -> str:
    return f"/tasks/{task_id}"


def staff_task(task_id: int | str) -> str:
    return f"/staff/tasks/{task_id}"


def kb_article(slug: str) -> str:
    return f"/kb/{slug}"


def invoice(invoice_id: int | str) -> str:
    return f"/billing/invoices/{invoice_id}"


def staff_invoice(invoice_id: int | str) -> str:
    return f"/staff/invoices/{invoice_id}"


# Notifications, e-mail links (they work without signing in) and the staff outbox (Mail).
NOTIFICATIONS = "/notifications"
# Replies, status changes and dispute answers on your tickets: the bell's full list (not the e-mail settings above).
UPDATES = "/updates"
UNSUBSCRIBE = "/unsubscribe"  # ?token=: the e-mail's unsubscribe link (services.subscriptions.unsubscribe_page_url)
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset-password"  # ?token=: services.account_links.password_reset_url
INVITATION = "/invitation"  # ?token=: services.account_links.invitation_url
STAFF_MAIL = "/staff/mail"
STAFF_NOTICES = "/staff/notices"
STAFF_MAIL_MESSAGE = "/staff/mail/[message_id]"
STAFF_MAIL_RECEIVED = "/staff/mail-received"  # the support mailbox's log (services.inbound_mail)


def staff_mail_message(message_id: str) -> str:
    return f"/staff/mail/{message_id}"


# Support plans: coverage, plan terms and add-ons, pay-per-incident requests; the staff catalog.
PLANS = "/plans"
INCIDENT_REQUEST = "/plans/incident"  # ?kind=emergency|scheduled preselects the kind
STAFF_PLANS = "/staff/plans"

# The audit log: owners and administrators read their organization's activity, staff every organization's.
ACTIVITY = "/activity"  # ?org=ID (staff) preselects the organization
ACTIVITY_CSV = "/api/activity.csv"

# The parent-company roll-up: owners and administrators read their subsidiaries' tasks and hours, read-only.
ROLLUP = "/organization/rollup"  # ?org=ID (staff; or an organization below the caller's), filters in the address
ROLLUP_TASK = "/organization/rollup/tasks/[task_id]"
ROLLUP_CSV = "/api/rollup/tasks.csv"


def rollup_task(task_id: int | str) -> str:
    return f"/organization/rollup/tasks/{task_id}"


# Satisfaction ratings per agent and month, with the latest comments (staff).
STAFF_RATINGS = "/staff/ratings"
# Time sign-off: billing contacts approve or dispute a month's time (?month=YYYY-MM); staff resolve disputes.
TIMESHEET = "/timesheet"
STAFF_DISPUTES = "/staff/disputes"

# The K2 Community forum (Gold customers and staff; others read what it is and how to join).
COMMUNITY = "/community"
COMMUNITY_ASK = "/community/ask"
COMMUNITY_CATEGORY = "/community/[category]"
COMMUNITY_QUESTION = "/community/questions/[question_id]"


def community_category(slug: str) -> str:
    return f"/community/{slug}"


def community_question(question_id: int | str) -> str:
    return f"/community/questions/{question_id}"


# Phone support and the support terms: the customer's numbers and hours, the public terms (?version=N an earlier
# one), and the staff page for numbers, business hours, terms versions and acceptances.
SUPPORT = "/support"
TERMS = "/terms"
STAFF_SUPPORT = "/staff/support"

# Software assurance: customers' products and downloads (gated by Gold and Extended-Term); the staff catalog.
PRODUCTS = "/products"
DOWNLOADS = "/downloads"
STAFF_PRODUCTS = "/staff/products"


def release_file(release_id: int | str, name: str) -> str:
    """A release file behind the authorized route (api/software_files.py); the name is for the save dialog."""
    from urllib.parse import quote  # here: the shared top of this module stays as it is

    return f"/api/software/releases/{int(release_id)}/{quote(name, safe='')}"

# The services catalog (seed 000): customers request services with service credits; staff keep the catalog.
SERVICES = "/services"
STAFF_SERVICES = "/staff/services"


def buy_packs(pack_ids: list[int], missing: int) -> str:
    """The Buy page with the credit packs that cover ``missing`` service credits picked (``domain.hour_blocks
    .packs_covering``)."""
    return f"{BUY_HOURS}?packs={','.join(str(int(i)) for i in pack_ids)}&need={int(missing)}#service-credits"
