"""Demo data loads once, adds only what is missing, and only for staff administrators; the whole demo tells one
story: every figure of it agrees with every other, as the pages read them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import (
    CreditLot,
    Invoice,
    LedgerEntry,
    Organization,
    Payment,
    PlanEntitlement,
    Ticket,
    TimeEntry,
)
from opsportal.services import agent_work, credit_views, hour_blocks, prepaid, tasks
from opsportal.services.auth import sign_in
from opsportal.services.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD, DEMO_USERS, DemoLoadResult, load_demo
from opsportal.services.demo_billing import load_demo_billing
from opsportal.services.demo_credits import load_demo_credits
from opsportal.services.demo_plans import load_demo_plans
from opsportal.services.demo_tasks import load_demo_tasks
from opsportal.services.errors import PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.tasks import TaskDetail
from tests.utils.builders import actor_for, make_org, make_user
from tests.utils.db import dump_tables, row_counts
from tests.utils.ledger import NOW

HOURS = "support_hours"


def test_loading_the_demo_into_an_empty_database_creates_every_organization_and_user(database_url):
    assert load_demo(OPERATOR) == DemoLoadResult(organizations_created=4, users_created=11,
                                                 organizations_total=4, users_total=11)
    counts = row_counts()
    assert (counts["organization"], counts["user_account"], counts["login_session"]) == (4, 11, 0)


def test_loading_the_demo_twice_creates_nothing_the_second_time(database_url):
    load_demo(OPERATOR)
    before = dump_tables()
    result = load_demo(OPERATOR)
    assert (result.organizations_created, result.users_created) == (0, 0)
    assert dump_tables() == before


def test_the_demo_builds_the_northwind_tree(database_url):
    load_demo(OPERATOR)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Organization.name, Organization.id, Organization.parent_id)).all()
    ids = {name: id_ for name, id_, _parent in rows}
    parents = {name: parent for name, _id, parent in rows}
    assert parents["Northwind Retail"] == parents["Northwind Logistics"] == ids["Northwind Holdings"]
    assert parents["Northwind Holdings"] is None and parents["Fabrikam Clinics"] is None


@pytest.mark.parametrize(("email", "role"), [(e, r) for e, _n, r, _o in DEMO_USERS if e.startswith(("olivia", "sam"))])
def test_demo_users_sign_in_with_the_demo_password(database_url, email, role):
    load_demo(OPERATOR)
    assert sign_in(email=email, password=DEMO_PASSWORD).actor.role.value == role


def test_the_demo_adds_only_what_is_missing(database_url):
    existing = create_organization(OPERATOR, name="NORTHWIND holdings")
    make_user("Olivia.Hart@Northwind.example", role="member", org=make_org("Somewhere Else"))
    result = load_demo(OPERATOR)
    assert (result.organizations_created, result.users_created) == (len(DEMO_ORGANIZATIONS) - 1, len(DEMO_USERS) - 1)
    with unit_of_work(write=False) as session:
        retail_parent = session.exec(
            select(Organization.parent_id).where(Organization.name == "Northwind Retail")).one()
    assert retail_parent == existing.id
    assert row_counts()["organization"] == len(DEMO_ORGANIZATIONS) + 1


@pytest.mark.parametrize("role", ["agent", "owner", "admin", "member"])
def test_only_a_staff_administrator_may_load_the_demo(database_url, role):
    org = None if role == "agent" else make_org("Acme")
    actor = actor_for(make_user(f"{role}@acme.example", role=role, org=org))
    before = dump_tables()
    with pytest.raises(PermissionDenied, match="^Only staff administrators may do this.$"):
        load_demo(actor)
    assert dump_tables() == before


# ---------------------------------------------------------------- the whole demo tells one story (read-only)


def _demo_org_ids() -> dict[str, int]:
    with unit_of_work(write=False) as session:
        return {name: session.exec(select(Organization.id).where(Organization.name == name)).one()
                for name, _parent in DEMO_ORGANIZATIONS}


def _tasks_of(org_id: int) -> list[TaskDetail]:
    """Every task of the organization as the Tasks page lists it, with its detail as the task page reads it."""
    rows, page = [], 1
    while True:
        listing = tasks.list_tasks(OPERATOR, org_id, tab="all", page=page, page_size=100)
        rows += listing.items
        if page >= listing.pages:
            break
        page += 1
    return [tasks.get_task(OPERATOR, row.id, comments=1, entry_page_size=100) for row in rows]


def _used_per_ticket(org_id: int, *, days: int) -> dict[int, int]:
    """Support hours used per ticket as Hours & Credits drills down from its categories."""
    used: dict[int, int] = {}
    for category in credit_views.used_by_category(OPERATOR, org_id, product=HOURS, days=days, at=NOW):
        for ticket in credit_views.used_tickets(OPERATOR, org_id, product=HOURS, category=category.category,
                                                days=days, at=NOW):
            used[ticket.ticket_id] = used.get(ticket.ticket_id, 0) + ticket.quantity
    return used


def test_the_support_hours_each_demo_task_used_are_the_prepaid_part_of_the_time_logged_on_it(demo_database_url):
    checked = 0
    for org_id in _demo_org_ids().values():
        for task in _tasks_of(org_id):
            snapshot = credit_views.ticket_snapshot(OPERATOR, task.row.id)
            assert snapshot.used.get(HOURS, 0) == task.totals.prepaid_minutes, task.row.title
            assert task.row.minutes_logged == task.totals.minutes, task.row.title
            checked += task.totals.prepaid_minutes > 0
    assert checked > 100


def test_nothing_in_the_demo_is_held_used_or_logged_on_a_task_before_it_was_opened(demo_database_url):
    with unit_of_work(write=False) as session:
        opened = dict(session.exec(select(Ticket.id, Ticket.created_at)).all())
        entries = session.exec(select(LedgerEntry.ticket_id, LedgerEntry.at).where(
            LedgerEntry.ticket_id.is_not(None))).all()
        logged = session.exec(select(TimeEntry.ticket_id, TimeEntry.created_at, TimeEntry.work_date)).all()
    assert len(entries) > 200 and len(logged) > 300
    assert [(t, at) for t, at in entries if at < opened[t]] == []
    assert [(t, at) for t, at, day in logged if at < opened[t] or day < opened[t].date()] == []


def test_nothing_in_the_demo_happens_to_an_organization_before_it_became_a_customer(demo_database_url):
    with unit_of_work(write=False) as session:
        since = dict(session.exec(select(Organization.id, Organization.created_at)).all())
        events = [*session.exec(select(Ticket.organization_id, Ticket.created_at)).all(),
                  *session.exec(select(CreditLot.holder_org_id, CreditLot.granted_at)).all(),
                  *session.exec(select(LedgerEntry.org_id, LedgerEntry.at)).all()]
    assert len(events) > 500
    assert [(org, at) for org, at in events if at < since[org]] == []


def test_all_demo_time_is_logged_by_the_support_team_on_tasks_assigned_to_one_of_them(demo_database_url):
    team = {agent.name for agent in agent_work.agents(OPERATOR)}
    for org_id in _demo_org_ids().values():
        for task in _tasks_of(org_id):
            if task.totals.minutes:
                assert task.row.agent in team, task.row.title
            assert {entry.agent for entry in task.time_entries} <= team


def test_each_demo_organizations_dashboard_tasks_and_hours_and_credits_figures_agree(demo_database_url):
    for name, org_id in _demo_org_ids().items():
        [card] = [s for s in credit_views.summary(OPERATOR, org_id, at=NOW) if s.product == HOURS]
        overview = prepaid.hours_overview(OPERATOR, org_id, at=NOW)
        balance = credit_views.balance(OPERATOR, org_id, product=HOURS, at=NOW)
        assert card.available == overview.remaining_minutes == balance.available, name
        in_play = credit_views.in_play_by_category(OPERATOR, org_id, product=HOURS)
        held = {t.ticket_id: t.quantity for c in in_play
                for t in credit_views.in_play_tickets(OPERATOR, org_id, product=HOURS, category=c.category)}
        assert card.in_play == balance.in_play == sum(c.quantity for c in in_play) == sum(held.values()), name

        detail = _tasks_of(org_id)
        prepaid_per_task = {t.row.id: t.totals.prepaid_minutes for t in detail if t.totals.prepaid_minutes}
        assert _used_per_ticket(org_id, days=365) == prepaid_per_task, name
        entries = [e for t in detail for e in t.time_entries]
        # "Used in 30 days" counted to the end of today, so that it starts at a midnight like the work dates.
        tonight = datetime.combine(NOW.date() + timedelta(days=1), time(), UTC)
        [card_tonight] = [s for s in credit_views.summary(OPERATOR, org_id, at=tonight) if s.product == HOURS]
        assert card_tonight.used_30d == sum(
            e.prepaid_minutes for e in entries if e.work_date > (tonight - timedelta(days=31)).date()), name
        assert card.used_30d == sum(_used_per_ticket(org_id, days=30).values()), name
        assert overview.used_this_period == sum(
            e.prepaid_minutes for e in entries if overview.period_start <= e.work_date <= NOW.date()), name
        payg = prepaid.payg_view(OPERATOR, org_id, at=NOW)
        assert payg.total_minutes == sum(e.payg_minutes for e in entries if not e.billed
                                         and payg.period_start <= e.work_date <= payg.period_end), name
        assert all(t.row.status in ("open", "in_progress", "waiting_on_customer") for t in detail
                   if t.row.id in held), name


def test_every_demo_hour_block_costs_less_an_hour_than_the_organizations_pay_as_you_go_rate(demo_database_url):
    for name, org_id in _demo_org_ids().items():
        rate = prepaid.billing_terms(OPERATOR, org_id).hourly_rate_minor
        blocks = hour_blocks.catalog_for(OPERATOR, org_id, product="support_hours", today=NOW.date())
        assert rate > 0 and blocks, name
        assert [b.name for b in blocks if b.price_minor >= b.hours * rate] == [], name


def test_the_demo_sells_service_credit_packs_in_every_organizations_currency(demo_database_url):
    for name, org_id in _demo_org_ids().items():
        packs = hour_blocks.catalog_for(OPERATOR, org_id, product="service_credits", today=NOW.date())
        assert packs and all(p.credits > 0 and p.hours == 0 for p in packs), name


def test_every_purchased_lot_of_support_hours_in_the_demo_was_paid_by_card_and_has_its_paid_receipt(
        demo_database_url):
    """Bought on Buy hours, not granted by staff (a subscription's periods are billed under the subscription)."""
    with unit_of_work(write=False) as session:
        lots = session.exec(select(CreditLot).where(CreditLot.kind == "purchased", CreditLot.product_code == HOURS,
                                                    CreditLot.origin != "plan_period")).all()
        paid = {p.lot_id: p for p in session.exec(select(Payment).where(Payment.lot_id.is_not(None))).all()}
        receipts = {i.id: i for i in session.exec(select(Invoice)).all()}
    assert len(lots) >= 5
    for lot in lots:
        payment = paid.get(lot.id)
        assert payment is not None, f"lot {lot.id} ({lot.note}) was not bought"
        assert (payment.status, payment.purpose, payment.block_quantity) == ("succeeded", "hour_block", lot.quantity)
        assert payment.completed_at == lot.granted_at and payment.created_at < payment.completed_at
        receipt = receipts[payment.invoice_id]
        assert (receipt.status, receipt.kind, receipt.paid_at, receipt.total_minor) == (
            "paid", "hour_block", lot.granted_at, payment.amount_minor), lot.id


def test_the_demo_s_support_plan_terms_ordered_on_the_plans_page_were_activated_by_their_paid_invoice(
        demo_database_url):
    with unit_of_work(write=False) as session:
        terms = session.exec(select(PlanEntitlement)).all()
        ordered = [(t, session.get(Invoice, t.source_invoice_id)) for t in terms if t.plan_order_id is not None]
    assert ordered and len(terms) > len(ordered)  # the rest: a contract staff entered
    for term, invoice in ordered:
        assert (invoice.status, invoice.kind, invoice.paid_at) == ("paid", "pre_service", term.created_at)
        assert invoice.issue_date <= term.start_date


def test_loading_the_whole_demo_again_changes_nothing(demo_database_url):
    before = dump_tables()
    assert load_demo(OPERATOR, now=NOW).users_created == 0
    assert load_demo_credits(OPERATOR, now=NOW) == load_demo_tasks(OPERATOR, now=NOW) == 0
    assert load_demo_billing(OPERATOR, now=NOW).invoices_created == 0
    assert load_demo_plans(OPERATOR, at=NOW) == 0
    assert dump_tables() == before


def test_the_demo_parents_roll_up_shows_each_subsidiarys_work_of_last_month_as_its_own_pages_add_it_up(
        demo_database_url):
    from opsportal.services import rollup

    owner = sign_in(email="olivia.hart@northwind.example", password=DEMO_PASSWORD).actor
    result = rollup.totals(owner, choice="last_month", time_zone="UTC", at=NOW)

    assert [r.name for r in result.rows] == ["Northwind Holdings", "Northwind Logistics", "Northwind Retail"]
    for row in result.rows:
        entries = [e for t in _tasks_of(row.organization_id) for e in t.time_entries
                   if result.period.first <= e.work_date <= result.period.last]
        assert row.minutes == sum(e.minutes for e in entries) > 0, row.name
        assert row.prepaid_minutes == sum(e.prepaid_minutes for e in entries), row.name
        assert row.available_minutes == prepaid.hours_overview(OPERATOR, row.organization_id, at=NOW).remaining_minutes
        assert row.open_tasks == tasks.list_tasks(OPERATOR, row.organization_id).total > 0, row.name
    assert result.total.payg_minutes > 0 and [c for c, _ in result.total.payg_amount_by_currency] == ["USD"]
