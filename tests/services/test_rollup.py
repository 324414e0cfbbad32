"""The parent-company roll-up (SQLite and PostgreSQL): a parent's owners and administrators read their subsidiaries'
tasks and hours, read-only; nobody reads upward, sideways, or into another tree; totals are the entries' sums."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from opsportal.db import get_engine
from opsportal.services import agent_work, prepaid, rollup, tasks
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, day
from tests.utils.tasks import hours, log, new_task, set_rate, set_ticket_status

LAST_MONTH = date(2025, 2, 14)  # NOW is 10 March 2025


def ids(page) -> list[int]:
    return [row.id for row in page.items]


@pytest.fixture
def work(world):
    """A task of each organization of the tree and one of Fabrikam, Fabrikam's in another tree."""
    return {name: new_task(world.org(name), subject=f"{name.title()} printer offline")
            for name in ("holdings", "retail", "logistics", "fabrikam")}


# --------------------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("viewer", ["holdings_owner", "holdings_admin"])
def test_a_parents_owners_and_administrators_see_their_own_and_every_subsidiarys_tasks(world, work, viewer):
    listed = rollup.list_tasks(world.actor(viewer), tab="all")

    assert sorted(ids(listed)) == sorted(work[n] for n in ("holdings", "retail", "logistics"))
    assert {row.organization for row in listed.items} == {"Northwind Holdings", "Northwind Retail",
                                                          "Northwind Logistics"}


def test_a_parents_owner_reads_a_subsidiarys_task_through_the_roll_up(world, work):
    log(work["retail"], 45)

    detail = rollup.get_task(world.actor("holdings_owner"), work["retail"])

    assert (detail.row.id, detail.row.organization, detail.totals.minutes) == (work["retail"], "Northwind Retail", 45)


def test_the_roll_up_never_lets_a_parents_owner_comment_on_or_open_a_subsidiarys_task_as_their_own(world, work):
    owner = world.actor("holdings_owner")

    with pytest.raises(NotFound):
        tasks.add_comment(owner, work["retail"], "We at head office would like an update.")
    with pytest.raises(NotFound):
        tasks.get_task(owner, work["retail"])
    with pytest.raises(NotFound):
        tasks.change_topics(owner, work["retail"])
    assert tasks.get_task(OPERATOR, work["retail"]).comment_count == 0


@pytest.mark.parametrize("target", ["holdings", "logistics"])
def test_a_subsidiarys_owner_is_refused_the_parents_and_a_siblings_roll_up(world, work, target):
    with pytest.raises(NotFound, match="not found"):
        rollup.list_tasks(world.actor("retail_owner"), world.org(target).id, tab="all")
    with pytest.raises(NotFound, match="not found"):
        rollup.totals(world.actor("retail_owner"), world.org(target).id, at=NOW)


@pytest.mark.parametrize("target", ["holdings", "logistics"])
def test_a_subsidiarys_owner_is_refused_the_parents_and_a_siblings_tasks_as_if_missing(world, work, target):
    with pytest.raises(NotFound) as refused:
        rollup.get_task(world.actor("retail_owner"), work[target])
    with pytest.raises(NotFound) as missing:
        rollup.get_task(world.actor("retail_owner"), 2**31 - 1)
    assert str(refused.value) == str(missing.value) == tasks.TASK_NOT_FOUND


def test_a_subsidiarys_own_roll_up_holds_only_its_own_tasks_and_refuses_a_sibling_as_filter(world, work):
    owner = world.actor("retail_owner")

    assert ids(rollup.list_tasks(owner, tab="all")) == [work["retail"]]
    with pytest.raises(NotFound):
        rollup.list_tasks(owner, subsidiary_id=world.logistics.id, tab="all")


@pytest.mark.parametrize("viewer", ["holdings_billing", "holdings_member"])
def test_a_parents_billing_contacts_and_members_do_not_get_the_roll_up(world, work, viewer):
    with pytest.raises(PermissionDenied, match="owners and administrators"):
        rollup.list_tasks(world.actor(viewer), tab="all")
    with pytest.raises(PermissionDenied):
        rollup.totals(world.actor(viewer), at=NOW)
    with pytest.raises(NotFound):
        rollup.get_task(world.actor(viewer), work["retail"])
    assert rollup.has_subsidiaries(world.actor(viewer)) is False


def test_another_trees_owner_is_refused_and_the_parents_owner_cannot_reach_another_tree(world, work):
    with pytest.raises(NotFound):
        rollup.list_tasks(world.actor("fabrikam_owner"), world.holdings.id)
    with pytest.raises(NotFound):
        rollup.get_task(world.actor("fabrikam_owner"), work["retail"])
    with pytest.raises(NotFound):
        rollup.get_task(world.actor("holdings_owner"), work["fabrikam"])
    with pytest.raises(NotFound):
        rollup.list_tasks(world.actor("holdings_owner"), subsidiary_id=world.fabrikam.id)
    with pytest.raises(NotFound):
        rollup.list_tasks(world.actor("holdings_owner"), world.fabrikam.id)


def test_staff_may_read_any_organizations_roll_up_but_must_name_it(world, work):
    assert len(rollup.list_tasks(world.actor("agent"), world.holdings.id, tab="all").items) == 3
    assert ids(rollup.list_tasks(world.actor("agent"), world.fabrikam.id, tab="all")) == [work["fabrikam"]]
    assert rollup.get_task(world.actor("agent"), work["fabrikam"]).row.id == work["fabrikam"]
    with pytest.raises(InvalidInput):
        rollup.list_tasks(world.actor("agent"))


def test_only_managers_of_an_organization_with_subsidiaries_are_offered_the_roll_up(world):
    assert rollup.has_subsidiaries(world.actor("holdings_owner")) is True
    assert rollup.has_subsidiaries(world.actor("holdings_admin")) is True
    assert rollup.has_subsidiaries(world.actor("retail_owner")) is False
    assert rollup.has_subsidiaries(world.actor("fabrikam_owner")) is False


def test_the_roll_up_follows_every_organization_of_the_tree_on_the_change_feed(world):
    topics = rollup.change_topics(world.actor("holdings_owner"))

    assert sorted(topics) == sorted(f"org:{o.id}" for o in (world.holdings, world.retail, world.logistics))
    with pytest.raises(NotFound):
        rollup.change_topics(world.actor("retail_owner"), world.holdings.id)


def test_a_grandchild_is_in_its_grandparents_roll_up_but_not_in_its_aunts(world):
    from tests.utils.builders import make_org

    stores = make_org("Northwind Retail Stores", parent=world.retail)
    task = new_task(stores)

    assert task in ids(rollup.list_tasks(world.actor("holdings_owner"), tab="all"))
    assert task in ids(rollup.list_tasks(world.actor("retail_owner"), tab="all"))
    assert rollup.get_task(world.actor("retail_owner"), task).row.id == task
    with pytest.raises(NotFound):
        rollup.get_task(world.actor("logistics_owner"), task)
    names = [(o.name, o.depth) for o in rollup.tree(world.actor("holdings_owner")).orgs]
    assert names == [("Northwind Holdings", 0), ("Northwind Logistics", 1), ("Northwind Retail", 1),
                     ("Northwind Retail Stores", 2)]


# --------------------------------------------------------------------------------------- filters and pages


def test_the_roll_up_filters_by_subsidiary_tab_status_category_and_search_and_pages_in_order(world):
    made = [new_task(world.retail, subject=f"Retail task {n:02d}", category="Networking",
                     at=NOW + timedelta(minutes=n)) for n in range(23)]
    other = new_task(world.logistics, subject="Logistics scanner", category="Security")
    set_ticket_status(made[0], "closed")
    owner = world.actor("holdings_owner")

    first = rollup.list_tasks(owner, subsidiary_id=world.retail.id, sort="title", page_size=10)
    last = rollup.list_tasks(owner, subsidiary_id=world.retail.id, sort="title", page=3, page_size=10)
    assert (first.total, first.pages, len(last.items)) == (22, 3, 2)
    assert ids(first) == made[1:11] and ids(last) == made[21:]
    assert ids(rollup.list_tasks(owner, tab="closed")) == [made[0]]
    assert rollup.list_tasks(owner, tab="all").total == 24
    assert ids(rollup.list_tasks(owner, category="Security")) == [other]
    assert ids(rollup.list_tasks(owner, search="scanner")) == [other]
    assert ids(rollup.list_tasks(owner, search=f"#{made[5]}")) == [made[5]]
    assert ids(rollup.list_tasks(owner, tab="all", status="closed")) == [made[0]]
    with pytest.raises(InvalidInput):
        rollup.list_tasks(owner, status="exploded")


def test_the_export_reads_every_filtered_task_a_page_at_a_time(world, monkeypatch):
    monkeypatch.setattr(rollup, "EXPORT_BATCH", 4)
    made = [new_task(world.retail, subject=f"Export {n}", at=NOW + timedelta(minutes=n)) for n in range(9)]
    new_task(world.logistics, subject="Not exported")

    batches = list(rollup.export_batches(world.actor("holdings_owner"), subsidiary_id=world.retail.id, sort="oldest"))

    assert [len(b) for b in batches] == [4, 4, 1]
    assert [row.id for b in batches for row in b] == made
    with pytest.raises(NotFound):
        rollup.export_batches(world.actor("retail_owner"), world.holdings.id)


# --------------------------------------------------------------------------------------- totals


def _sql_sums(org_id: int, first: date, last: date) -> dict:
    """The period's entries of one organization read row by row, summed here (the check on the SQL aggregates)."""
    with get_engine().connect() as conn:
        rows = conn.execute(text(
            "SELECT work_date, minutes, prepaid_minutes, payg_minutes, payg_amount_minor, currency FROM time_entry "
            "WHERE organization_id = :o"), {"o": org_id}).all()
    inside = [r for r in rows if first <= (r[0] if isinstance(r[0], date) else date.fromisoformat(r[0])) <= last]
    amounts: dict[str, int] = {}
    for r in inside:
        if r[4]:
            amounts[r[5]] = amounts.get(r[5], 0) + r[4]
    return {"minutes": sum(r[1] for r in inside), "prepaid": sum(r[2] for r in inside),
            "payg": sum(r[3] for r in inside), "amounts": tuple(sorted(amounts.items()))}


def test_totals_per_subsidiary_equal_the_sums_of_their_time_entries_and_task_counts(world):
    set_rate(world.retail)
    set_rate(world.logistics, 11_000, "EUR")
    hours(world.retail, 90)
    retail = [new_task(world.retail, subject=f"Retail {n}") for n in range(3)]
    logistics = [new_task(world.logistics, subject=f"Logistics {n}") for n in range(2)]
    for ticket, minutes, work_day in [(retail[0], 60, NOW.date()), (retail[0], 75, day(-2)), (retail[1], 30, day(-5)),
                                      (retail[1], 120, LAST_MONTH), (logistics[0], 50, day(-1)),
                                      (logistics[1], 40, LAST_MONTH)]:
        log(ticket, minutes, work_date=work_day)
    agent_work.set_status(OPERATOR, retail[2], "closed", at=NOW - timedelta(days=3))
    agent_work.set_status(OPERATOR, logistics[1], "resolved", at=NOW - timedelta(days=25))  # February

    result = rollup.totals(world.actor("holdings_owner"), at=NOW)
    by_org = {r.organization_id: r for r in result.rows}

    assert (result.period.first, result.period.last) == (date(2025, 3, 1), date(2025, 3, 10))
    assert [r.name for r in result.rows] == ["Northwind Holdings", "Northwind Logistics", "Northwind Retail"]
    for org in (world.holdings, world.retail, world.logistics):
        expected = _sql_sums(org.id, result.period.first, result.period.last)
        row = by_org[org.id]
        assert (row.minutes, row.prepaid_minutes, row.payg_minutes, row.payg_amount_by_currency) == (
            expected["minutes"], expected["prepaid"], expected["payg"], expected["amounts"])
    retail_row, logistics_row = by_org[world.retail.id], by_org[world.logistics.id]
    assert (retail_row.minutes, retail_row.prepaid_minutes, retail_row.payg_minutes) == (165, 90, 75)
    assert retail_row.payg_amount_by_currency == (("USD", 15_000),)
    assert logistics_row.payg_amount_by_currency == (("EUR", 9_167),)
    assert (retail_row.open_tasks, retail_row.closed_in_period) == (2, 1)
    assert (logistics_row.open_tasks, logistics_row.closed_in_period) == (1, 0)
    assert result.total.minutes == sum(r.minutes for r in result.rows) == 215
    assert result.total.payg_amount_by_currency == (("EUR", 9_167), ("USD", 15_000))
    assert (result.total.open_tasks, result.total.closed_in_period) == (3, 1)


def test_last_month_and_a_custom_range_count_the_time_and_closures_of_those_days(world):
    ticket = new_task(world.logistics)
    log(ticket, 40, work_date=LAST_MONTH)
    log(ticket, 20, work_date=day(-1))
    agent_work.set_status(OPERATOR, ticket, "closed", at=NOW - timedelta(days=20))
    owner = world.actor("holdings_owner")

    last_month = {r.organization_id: r for r in rollup.totals(owner, choice="last_month", at=NOW).rows}
    custom = {r.organization_id: r for r in rollup.totals(owner, choice="custom", first=LAST_MONTH,
                                                          last=day(-1), at=NOW).rows}

    assert (last_month[world.logistics.id].minutes, last_month[world.logistics.id].closed_in_period) == (40, 1)
    assert (custom[world.logistics.id].minutes, custom[world.logistics.id].closed_in_period) == (60, 1)
    with pytest.raises(InvalidInput, match="first day"):
        rollup.totals(owner, choice="custom", first=day(-1), last=LAST_MONTH, at=NOW)
    with pytest.raises(InvalidInput, match="both"):
        rollup.totals(owner, choice="custom", first=day(-1), at=NOW)
    with pytest.raises(InvalidInput):
        rollup.totals(owner, choice="forever", at=NOW)


def test_a_closure_counts_in_the_readers_month_not_the_utc_month(world):
    ticket = new_task(world.retail)
    # 28 Feb 2025 23:30 in New York is already 1 March in UTC.
    agent_work.set_status(OPERATOR, ticket, "closed", at=NOW.replace(day=1, hour=4, minute=30))
    owner = world.actor("holdings_owner")

    in_new_york = rollup.totals(owner, choice="last_month", time_zone="America/New_York", at=NOW)
    in_utc = rollup.totals(owner, choice="last_month", time_zone="UTC", at=NOW)

    assert in_new_york.total.closed_in_period == 1
    assert in_utc.total.closed_in_period == 0


def test_available_hours_per_organization_match_what_each_can_draw_and_the_total_counts_each_lot_once(world):
    hours(world.holdings, 600, shared=True)
    hours(world.holdings, 120)  # the parent's own, not shared
    hours(world.retail, 60)
    hours(world.logistics, 30, expires=day(-1), at=NOW - timedelta(days=5))  # expired yesterday

    result = rollup.totals(world.actor("holdings_owner"), at=NOW)
    by_org = {r.organization_id: r.available_minutes for r in result.rows}

    for org in (world.holdings, world.retail, world.logistics):
        assert by_org[org.id] == prepaid.hours_overview(OPERATOR, org.id, at=NOW).remaining_minutes
    assert by_org == {world.holdings.id: 720, world.retail.id: 660, world.logistics.id: 600}
    assert result.total.available_minutes == 780
    assert {r.organization_id: r.available_minutes
            for r in rollup.totals(world.actor("retail_owner"), at=NOW).rows} == {world.retail.id: 660}


# --------------------------------------------------------------------------------------- the CSV download


def test_the_csv_download_lists_the_filtered_tasks_for_the_parents_owner_and_refuses_everyone_else(world):
    import csv
    import io

    from starlette.responses import PlainTextResponse
    from starlette.testclient import TestClient

    from opsportal import routes
    from opsportal.api.routes import create_api
    from opsportal.auth.security import SESSION_COOKIE
    from opsportal.services import auth
    from tests.utils.builders import PASSWORD

    made = [new_task(world.retail, subject=f"=HYPERLINK(\"x\") {n}") for n in range(3)]
    new_task(world.logistics, subject="Not in the download")
    client = TestClient(create_api(PlainTextResponse("the Reflex app")))

    def download(user: str, query: str):
        client.cookies.set(SESSION_COOKIE, auth.sign_in(email=world.users[user].email, password=PASSWORD).token)
        return client.get(f"{routes.ROLLUP_CSV}?{query}")

    answer = download("holdings_owner", f"sub={world.retail.id}&tab=all&sort=oldest")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert rows[0][:3] == ["Task", "Title", "Organization"]
    assert [int(r[0]) for r in rows[1:]] == made
    assert {r[2] for r in rows[1:]} == {"Northwind Retail"}
    assert all(r[1].startswith("'=") for r in rows[1:])  # no cell a spreadsheet would run
    assert download("retail_owner", f"org={world.holdings.id}").status_code == 404
    assert download("holdings_billing", "").status_code == 403
    assert download("fabrikam_owner", f"org={world.holdings.id}").status_code == 404
    client.cookies.clear()
    assert client.get(routes.ROLLUP_CSV).status_code == 401
