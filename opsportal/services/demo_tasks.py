"""Demo tasks: six months of support work for the demo organizations, so the task pages, the staff
queue, the hours overview and pay-as-you-go have something real to show.

Hourly rates for every demo organization, a monthly managed-service plan for Northwind Retail
("Managed Care 10h", rolling over once) granted period by period through the period job, and a
few hundred tasks opened by the customers' users, with conversations, time logged by the two
demo agents at the dates the work was done (so the lots live then are drawn, and what they do not
cover is pay-as-you-go), and statuses from open to closed. The tickets the Hours & Credits page tells
about (``STORIES``: hours reserved for a task, then used by the time logged on it; a service request
paid in service credits) are tasks like the others. Everything goes through the use cases, in date
order, with the period and expiry jobs run as the months pass, so the ledger is exactly what the real
flows would have written: a task is opened before anything is held or used for it, and the support
hours a task used are the prepaid part of the time logged on it.

Idempotent: skipped when the demo organizations already hold more than ``SKIP_ABOVE`` tasks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.identity import email_key
from opsportal.domain.roles import Role
from opsportal.domain.tasks import TaskStatus
from opsportal.models import ServiceSubscription, Ticket, User
from opsportal.services import (
    agent_work,
    credit_views,
    credits,
    demo_files,
    demo_services,
    demo_ticket_actions,
    demo_ticket_mail,
    portal_notifications,
    prepaid,
    tasks,
)
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.errors import NotFound
from opsportal.services.orgtree import require_by_name

SKIP_ABOVE = 20
HISTORY_DAYS = 182
SEED = 2026

# organization -> (hourly rate in minor units, currency, tasks over the six months)
ORGANIZATIONS = {
    "Northwind Holdings": (12_000, "USD", 70),
    "Northwind Retail": (12_000, "USD", 62),
    "Northwind Logistics": (11_000, "USD", 60),
    "Fabrikam Clinics": (9_500, "EUR", 60),
}
PLAN = ("Northwind Retail", "Managed Care 10h", 600, "monthly", True)
AGENTS = ("alex.kim@opsportal.example", "sam.taylor@opsportal.example")

SUBJECTS = {
    "Infrastructure": [
        "File server {n} running out of disk space", "Patch the Hyper-V hosts", "Replace failing disk in {n}",
        "Server room UPS reports battery fault", "Scheduled task failing on {n}", "Upgrade the print server",
        "Decommission old domain controller", "Raise RAM on the terminal server",
    ],
    "Networking": [
        "Wi-Fi drops at store {n}", "VPN disconnects every hour", "New VLAN for the guest network",
        "Switch port flapping in the warehouse", "Slow internet at branch {n}", "Firewall rule for the new ERP",
        "DNS not resolving internal names", "Replace access point in meeting room {n}",
    ],
    "Security": [
        "Suspicious sign-in alert for a finance user", "Phishing e-mail reported by staff",
        "Antivirus flags a file on {n}", "Review admin accounts before the audit", "Enable MFA for contractors",
        "USB storage policy for front desks", "Certificate expires on the web portal",
    ],
    "Identity & access": [
        "New starter account for {name}", "Leaver: disable account of {name}", "Password reset loop for {name}",
        "Shared mailbox access for the sales team", "SSO login fails for the HR portal",
        "Group membership for the new project", "Reset MFA device for {name}",
    ],
    "End-user support": [
        "Laptop will not start for {name}", "Printer on floor {n} offline", "Outlook crashes on start-up",
        "Second monitor not detected", "Teams camera not working for {name}", "Set up a new iPhone for {name}",
        "Excel add-in missing after update", "Keyboard and mouse for the new desk",
    ],
    "Email & collaboration": [
        "Mail stuck in the outbox for {name}", "Distribution list for the board", "SharePoint site for projects",
        "Calendar permissions for the assistants", "Large attachments bounce", "Migrate the archive mailbox",
    ],
    "Backup & recovery": [
        "Restore a deleted folder from last week", "Backup job failed on {n}", "Test restore of the SQL database",
        "Extend backup retention to 90 days", "Offsite backup copy is late",
    ],
    "Cloud": [
        "Azure cost alert for the test subscription", "Move the intranet to the cloud", "Storage account full",
        "Set up a VM for the analytics team", "Review Microsoft 365 licences",
    ],
    "Other": [
        "Quote for ten new laptops", "Advice on a new phone system", "Inventory of office hardware",
        "Question about last month's invoice",
    ],
}
CATEGORY_WEIGHTS = {"Infrastructure": 14, "Networking": 16, "Security": 10, "Identity & access": 14,
                    "End-user support": 24, "Email & collaboration": 10, "Backup & recovery": 6, "Cloud": 4,
                    "Other": 2}
PRIORITY_WEIGHTS = {"low": 20, "normal": 55, "high": 20, "urgent": 5}
NAMES = ("Priya", "Jonas", "Maria", "Tom", "Aisha", "Lukas", "Chen", "Sofia", "Omar", "Elena")
DESCRIPTIONS = (
    "Since this morning {what}. It affects {who} and we cannot work around it.",
    "We noticed that {what}. Could you have a look when you can?",
    "{what_cap}. This is the second time this month; please find the cause.",
    "Following our call: {what}. A screenshot of the error is attached.",
)
WHO = ("two people in accounting", "the whole store", "our front desk", "the warehouse team", "one user",
       "everyone on the second floor")
CUSTOMER_FIRST = (
    "It is getting worse, several people are affected now.", "Thanks for picking this up so quickly.",
    "Is there any update on this?", "We can give you remote access between 12:00 and 14:00.",
    "The error message says: access denied.",
)
AGENT_COMMENTS = (
    "I have connected remotely and I am looking into it.", "Found the cause: a misconfigured setting; fixing it now.",
    "I applied a fix. Could you check on your side?", "This needs a part; it arrives tomorrow and I will come by.",
    "Working on it with the vendor's support; I will update you this afternoon.",
)
WAITING_COMMENTS = (
    "Could you tell us which users are affected?", "Please restart the device and tell us if it happens again.",
    "Could you send a screenshot of the error?",
)
SCREENSHOT = "A screenshot of the error is attached."
SCREENSHOT_REPLY = "Here is the screenshot."
CUSTOMER_REPLIES = ("Done, it still happens.", SCREENSHOT_REPLY, "Only the two of us, as far as I know.")
CLOSING_COMMENTS = ("Solved: please reopen the task if it comes back.", "All done, thanks for your patience.")
CUSTOMER_THANKS = ("Works again, thank you!", "Confirmed, all good here.")
NOTES = ("Remote session", "Diagnosis and fix", "On site", "Configuration change", "Testing with the user",
         "Vendor call", "Documentation")
MINUTES = (15, 15, 20, 30, 30, 30, 45, 45, 60, 60, 90)
# Larger pieces of work: (organization, subject, category, priority, days ago, minutes per day, finished).
# Retail's store opening this month uses more than its plan has left, so pay-as-you-go shows.
PROJECTS = [
    ("Northwind Retail", "Store 14 opening: network, POS terminals and printers", "Networking", "high", 6,
     (240, 300, 180, 120), False),
    ("Northwind Holdings", "Migrate the finance file shares to SharePoint", "Cloud", "normal", 110,
     (180, 240, 240, 120), True),
    ("Fabrikam Clinics", "Security review before the health-data audit", "Security", "high", 70, (300, 240), True),
]

# The tickets the Hours & Credits page tells about, opened by the organization's first user and worked by the
# first agent: (organization, subject, category, product, quantity reserved, days ago, minutes logged per
# session, finished). The agent reserves the quantity when the work starts (as much as is available then);
# logged time uses the task's reserved hours first. Closing a task releases the hours it did not use and uses
# the reserved service credits (a service request).
STORIES = [
    # Early on: work that used part of Holdings' lots that expired since.
    ("Northwind Holdings", "Replace the core switch at the head office", "Networking", "support_hours", 240, 260,
     (120, 80), True),
    ("Northwind Holdings", "Security awareness training for new staff", "Security", "service_credits", 13, 150,
     (), True),
    ("Northwind Holdings", "Firewall rules for the new branch office", "Networking", "support_hours", 95, 12,
     (45, 31), True),
    ("Northwind Holdings", "Quarterly patching of the file servers", "Infrastructure", "support_hours", 180, 25,
     (90, 54), True),
    ("Northwind Holdings", "SSO login loop for finance users", "Identity & access", "support_hours", 60, 3, (), False),
    ("Northwind Holdings", "Backup job failing on SQL01", "Infrastructure", "support_hours", 120, 2, (), False),
    ("Northwind Retail", "POS terminals drop Wi-Fi at store 12", "Networking", "support_hours", 75, 8, (60,), True),
    ("Northwind Retail", "New starter laptops (4)", "End-user support", "support_hours", 140, 18, (60, 52), True),
    ("Northwind Retail", "Printer queue stuck at HQ", "End-user support", "support_hours", 30, 1, (), False),
    ("Northwind Logistics", "VPN for the warehouse scanners", "Networking", "support_hours", 210, 6, (120, 48), True),
    ("Northwind Logistics", "Mailbox migration for drivers", "Email & collaboration", "support_hours", 90, 1, (),
     False),
    ("Fabrikam Clinics", "EHR system slow in the mornings", "Infrastructure", "support_hours", 45, 4, (), False),
]


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    action: str = field(compare=False)
    task: int = field(compare=False)  # index into the plan's tasks
    args: dict = field(compare=False, default_factory=dict)


@dataclass
class _Plan:
    org: str
    subject: str
    category: str
    priority: str
    description: str
    customer: Actor
    agent: Actor
    ticket_id: int | None = None


def _actor(user: User, org_name: str | None) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), organization_id=user.organization_id, session_id="demo",
                 email=user.email, full_name=user.full_name, organization_name=org_name)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _subject(rng: random.Random, category: str) -> str:
    return rng.choice(SUBJECTS[category]).format(n=rng.randint(2, 40), name=rng.choice(NAMES))


def _description(rng: random.Random, subject: str) -> str:
    what = subject if subject[:2].isupper() else subject[0].lower() + subject[1:]  # "POS terminals ...", kept
    return rng.choice(DESCRIPTIONS).format(what=what, what_cap=subject, who=rng.choice(WHO))


def load_demo_tasks(actor: Actor, *, now: datetime | None = None) -> int:
    """Loads the demo tasks; returns the number of tasks created (0 when they were already there)."""
    require_staff_admin(actor)
    now = (now or clock.now()).astimezone(UTC)
    with unit_of_work(write=False) as session:
        orgs = {name: require_by_name(session, name) for name in ORGANIZATIONS}
        existing = session.exec(select(func.count()).select_from(Ticket).where(
            Ticket.organization_id.in_([o.id for o in orgs.values()]))).one()
        if existing > SKIP_ABOVE:
            return 0
        customers: dict[str, list[Actor]] = {}
        for name, org in orgs.items():
            users = session.exec(select(User).where(User.organization_id == org.id, User.is_active)
                                 .order_by(User.id)).all()
            customers[name] = [_actor(u, name) for u in users]
        agents = []
        for email in AGENTS:
            user = session.exec(select(User).where(User.email_key == email_key(email))).first()
            if user is None:
                raise NotFound(f"Demo agent {email} is missing: load the demo users first.")
            agents.append(_actor(user, None))
        has_plan = session.exec(select(ServiceSubscription.id).where(
            ServiceSubscription.organization_id == orgs[PLAN[0]].id, ServiceSubscription.name == PLAN[1])).first()
    if any(not users for users in customers.values()):
        raise NotFound("Every demo organization needs a user: load the demo users first.")

    start = now - timedelta(days=HISTORY_DAYS)
    for name, (rate, currency, _count) in ORGANIZATIONS.items():
        prepaid.set_hourly_rate(actor, orgs[name].id, hourly_rate_minor=rate, currency=currency)
    if has_plan is None:
        org_name, plan_name, minutes, period, rolls_over = PLAN
        prepaid.create_subscription(actor, organization_id=orgs[org_name].id, name=plan_name,
                                    minutes_per_period=minutes, period=period, rolls_over_once=rolls_over,
                                    starts_on=start.date().replace(day=1))

    plans, events = _plan(random.Random(SEED), orgs, customers, agents, start, now)
    month_starts = _month_starts(start.date().replace(day=1), now)
    for event in sorted(events):
        while month_starts and month_starts[0] <= event.at:
            _monthly_jobs(actor, month_starts.pop(0))
        _run(event, plans[event.task])
    for at in month_starts:
        _monthly_jobs(actor, at)
    _monthly_jobs(actor, now)
    demo_ticket_actions.load_demo_ticket_actions(list(ORGANIZATIONS), now)
    demo_ticket_mail.load_demo_ticket_mail(actor, now=now)
    portal_notifications.read_demo_history(now)  # the bell shows the last few days as new
    demo_services.load_demo_services(actor, now=now)  # the services catalog and one request in play
    return len(plans)


def _monthly_jobs(actor: Actor, at: datetime) -> None:
    """What the scheduler does as time passes: the plan's periods are granted and what is past its expiry expires
    (the expiry is dated at the lot's expiry instant, whenever the job runs)."""
    prepaid.grant_due_periods(actor, at=at)
    credits.expire_due(actor, at=at)


def _month_starts(first: date, now: datetime) -> list[datetime]:
    out, day = [], first
    while True:
        at = datetime.combine(day, time(0, 5), tzinfo=UTC)
        if at > now:
            return out
        out.append(at)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _plan(rng: random.Random, orgs: dict, customers: dict[str, list[Actor]], agents: list[Actor], start: datetime,
          now: datetime) -> tuple[list[_Plan], list[_Event]]:
    plans: list[_Plan] = []
    events: list[_Event] = []
    seq = iter(range(1_000_000))
    span = (now - start).total_seconds() - 3600

    def add(at: datetime, action: str, index: int, **args) -> datetime:
        at = min(at, now - timedelta(minutes=1))
        events.append(_Event(at, next(seq), action, index, args))
        return at

    for org_name, (_rate, _currency, count) in ORGANIZATIONS.items():
        for _ in range(count):
            category = _weighted(rng, CATEGORY_WEIGHTS)
            subject = _subject(rng, category)
            index = len(plans)
            plans.append(_Plan(org=org_name, subject=subject, category=category,
                               priority=_weighted(rng, PRIORITY_WEIGHTS), description=_description(rng, subject),
                               customer=rng.choice(customers[org_name]), agent=agents[0 if rng.random() < 0.7 else 1]))
            # More work lately than half a year ago, during office hours.
            offset = span * (1 - rng.random() ** 1.4)
            created = (start + timedelta(seconds=offset)).replace(hour=rng.randint(7, 17), minute=rng.randint(0, 59))
            if created >= now - timedelta(hours=2):
                created = now - timedelta(hours=rng.randint(2, 30))
            at = add(created, "create", index)
            age_days = (now - created).total_seconds() / 86_400
            at = add(at + timedelta(minutes=rng.randint(5, 90)), "assign", index)
            if rng.random() < 0.5:
                at = add(at + timedelta(minutes=rng.randint(10, 240)), "comment", index, by="customer",
                         body=rng.choice(CUSTOMER_FIRST))
            # The work: one to four sessions, the first soon, the others over the next days.
            sessions = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
            finished = age_days > 12 or (age_days > 2 and rng.random() < 0.6)
            if not finished:
                sessions = min(sessions, max(1, int(age_days)))
            for n in range(sessions):
                at += timedelta(hours=rng.uniform(0.5, 30) if n else rng.uniform(0.3, 4))
                if at >= now - timedelta(minutes=30):
                    break
                if rng.random() < 0.45:
                    at = add(at, "comment", index, by="agent", body=rng.choice(AGENT_COMMENTS))
                at = add(at + timedelta(minutes=rng.randint(5, 60)), "log", index, minutes=rng.choice(MINUTES),
                         note=rng.choice(NOTES), after_hours=rng.random() < 0.08)
            if finished:
                at = add(at + timedelta(hours=rng.uniform(0.5, 48)), "comment", index, by="agent",
                         body=rng.choice(CLOSING_COMMENTS))
                at = add(at + timedelta(minutes=1), "status", index, status=TaskStatus.resolved.value)
                if rng.random() < 0.5:
                    at = add(at + timedelta(hours=rng.uniform(1, 30)), "comment", index, by="customer",
                             body=rng.choice(CUSTOMER_THANKS))
                closes = at + timedelta(days=rng.uniform(2, 7))
                if closes < now - timedelta(hours=1):
                    add(closes, "status", index, status=TaskStatus.closed.value)
            elif rng.random() < 0.3:
                at = add(at + timedelta(minutes=rng.randint(10, 120)), "comment", index, by="agent",
                         body=rng.choice(WAITING_COMMENTS))
                at = add(at + timedelta(minutes=1), "status", index, status=TaskStatus.waiting_on_customer.value)
                if rng.random() < 0.4:
                    add(at + timedelta(hours=rng.uniform(1, 20)), "comment", index, by="customer",
                        body=rng.choice(CUSTOMER_REPLIES))
    for org_name, subject, category, priority, days_ago, days, finished in PROJECTS:
        index = len(plans)
        plans.append(_Plan(org=org_name, subject=subject, category=category, priority=priority,
                           description=_description(rng, subject), customer=customers[org_name][0], agent=agents[1]))
        at = add(datetime.combine((now - timedelta(days=days_ago)).date(), time(8, 30), tzinfo=UTC), "create", index)
        add(at + timedelta(minutes=20), "assign", index)
        for n, minutes in enumerate(days):
            day_end = datetime.combine(at.date() + timedelta(days=n), time(17, 30), tzinfo=UTC)
            add(day_end, "log", index, minutes=minutes, note="Project work", after_hours=False)
        if finished:
            done = datetime.combine(at.date() + timedelta(days=len(days)), time(10), tzinfo=UTC)
            add(done, "comment", index, by="agent", body=rng.choice(CLOSING_COMMENTS))
            add(done + timedelta(minutes=1), "status", index, status=TaskStatus.resolved.value)
            add(done + timedelta(days=5), "status", index, status=TaskStatus.closed.value)
    for org_name, subject, category, product, quantity, days_ago, sessions, finished in STORIES:
        index = len(plans)
        plans.append(_Plan(org=org_name, subject=subject, category=category, priority="normal",
                           description=_description(rng, subject), customer=customers[org_name][0], agent=agents[0]))
        at = add(datetime.combine((now - timedelta(days=days_ago)).date(), time(9), tzinfo=UTC), "create", index)
        at = add(at + timedelta(minutes=15), "assign", index)
        at = add(at + timedelta(minutes=15), "hold", index, org_id=orgs[org_name].id, product=product,
                 quantity=quantity)
        for minutes in sessions:
            at = add(at + timedelta(hours=3), "log", index, minutes=minutes, note=rng.choice(NOTES), after_hours=False)
        if finished:
            at = add(at + timedelta(hours=20), "comment", index, by="agent", body=rng.choice(CLOSING_COMMENTS))
            at = add(at + timedelta(minutes=1), "status", index, status=TaskStatus.resolved.value)
            add(at + timedelta(days=3), "status", index, status=TaskStatus.closed.value)
    return plans, events


def _run(event: _Event, plan: _Plan) -> None:
    at, args = event.at, event.args
    if event.action == "create":
        plan.ticket_id = tasks.create_ticket(plan.customer, subject=plan.subject, category=plan.category,
                                             priority=plan.priority, description=plan.description, at=at,
                                             attach=demo_files.attach_screenshot if SCREENSHOT in plan.description
                                             else None).id
    elif event.action == "assign":
        agent_work.assign(plan.agent, plan.ticket_id, plan.agent.user_id, at=at)
    elif event.action == "comment":
        author = plan.customer if args["by"] == "customer" else plan.agent
        tasks.add_comment(author, plan.ticket_id, args["body"], at=at,
                          attach=demo_files.attach_screenshot if args["body"] == SCREENSHOT_REPLY else None)
    elif event.action == "log":
        agent_work.log_time(plan.agent, plan.ticket_id, minutes=args["minutes"], work_date=at.date(),
                            note=args["note"], after_hours=args["after_hours"], at=at)
    elif event.action == "hold":
        # The agent reserves what the work will take, or what is left when that is less.
        free = credit_views.balance(plan.agent, args["org_id"], product=args["product"], at=at, lot_limit=1).available
        if min(free, args["quantity"]) > 0:
            credits.hold_for_ticket(plan.agent, ticket_id=plan.ticket_id, product=args["product"],
                                    quantity=min(free, args["quantity"]), at=at)
    elif event.action == "status":
        agent_work.set_status(plan.agent, plan.ticket_id, args["status"], at=at)
