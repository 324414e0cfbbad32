"""The task list and the staff queue: tabs, search, filters, sorts and pages (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import agent_work, tasks
from opsportal.services.errors import InvalidInput
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.tasks import log, new_task, set_ticket_status


def ids(page) -> list[int]:
    return [row.id for row in page.items]


def listed(world, **kwargs):
    return tasks.list_tasks(world.actor("retail_member"), world.retail.id, **kwargs)


@pytest.fixture
def board(world):
    """Retail's tasks in every status (and one task of each other organization)."""
    made = {}
    for n, (name, status, category) in enumerate([
        ("open", "open", "Networking"),
        ("progress", "in_progress", "Security"),
        ("waiting", "waiting_on_customer", "Networking"),
        ("resolved", "resolved", "Cloud"),
        ("closed", "closed", "Networking"),
    ]):
        made[name] = new_task(world.retail, subject=f"Task {name}", category=category, at=NOW + timedelta(minutes=n))
        set_ticket_status(made[name], status)
    for org in (world.holdings, world.logistics, world.fabrikam):
        new_task(org, subject="Task open elsewhere", category="Networking")
    return made


def test_the_open_tab_lists_open_in_progress_and_waiting_tasks_of_the_organization_only(world, board):
    page = listed(world)  # open tab by default
    assert set(ids(page)) == {board["open"], board["progress"], board["waiting"]}
    assert page.total == 3


def test_the_closed_tab_lists_resolved_and_closed_tasks(world, board):
    assert set(ids(listed(world, tab="closed"))) == {board["resolved"], board["closed"]}


def test_any_other_tab_lists_every_task_of_the_organization(world, board):
    assert set(ids(listed(world, tab="all"))) == set(board.values())


def test_the_status_filter_narrows_the_list_to_one_status(world, board):
    assert ids(listed(world, tab="all", status="waiting_on_customer")) == [board["waiting"]]
    assert [r.status_label for r in listed(world, tab="all", status="waiting_on_customer").items] == ["Waiting on you"]


def test_an_unknown_status_filter_is_refused(world, board):
    with pytest.raises(InvalidInput, match="^Unknown status.$"):
        listed(world, status="pending")


def test_the_category_filter_narrows_the_list_to_one_category(world, board):
    assert set(ids(listed(world, tab="all", category="Networking"))) == {board["open"], board["waiting"],
                                                                        board["closed"]}
    assert ids(listed(world, tab="all", category="Plumbing")) == []


def test_search_finds_tasks_by_words_of_their_subject_regardless_of_case(world):
    vpn = new_task(world.retail, subject="VPN drops every hour")
    new_task(world.retail, subject="Printer offline")
    assert ids(listed(world, search="  vpn DROPS ")) == [vpn]


def test_search_by_hash_and_number_finds_the_task_with_that_number(world):
    first = new_task(world.retail, subject="Printer offline")
    new_task(world.retail, subject="Scanner offline")
    assert ids(listed(world, search=f"#{first}")) == [first]
    assert ids(listed(world, search=str(first))) == [first]


def test_search_by_number_never_finds_another_organizations_task(world):
    theirs = new_task(world.fabrikam, subject="Their printer")
    assert ids(listed(world, search=f"#{theirs}", tab="all")) == []


@pytest.mark.parametrize(("search", "expected"), [
    ("%", ["100% CPU on DB01"]),
    ("_", ["Share \\\\fs01\\scan_in is full"]),
    ("\\", ["Share \\\\fs01\\scan_in is full"]),
    ("a%b", []),
])
def test_like_wildcards_in_a_search_are_matched_literally(world, search, expected):
    for subject in ("100% CPU on DB01", "Share \\\\fs01\\scan_in is full", "CPU at 50 percent on DB02", "ab"):
        new_task(world.retail, subject=subject)
    assert [r.title for r in listed(world, search=search).items] == expected


@pytest.mark.parametrize("search", ["#99999999999999999999999", "99999999999999999999", "#²", "#"])
def test_a_search_that_looks_like_an_impossible_task_number_finds_nothing_and_fails_nothing(world, search):
    new_task(world.retail, subject="Printer offline")
    assert ids(listed(world, search=search)) == []


@pytest.fixture
def sortable(world):
    """Three Retail tasks created a minute apart, changed and timed in other orders."""
    a = new_task(world.retail, subject="Bravo", at=NOW)
    b = new_task(world.retail, subject="alpha", at=NOW + timedelta(minutes=1))
    c = new_task(world.retail, subject="Charlie", at=NOW + timedelta(minutes=2))
    log(a, 30, at=NOW + timedelta(minutes=10))
    log(b, 90, at=NOW + timedelta(minutes=5))
    tasks.add_comment(world.actor("retail_member"), c, "Any news?", at=NOW + timedelta(minutes=20))
    return a, b, c


@pytest.mark.parametrize(("sort", "order"), [
    ("updated", (2, 0, 1)), ("created", (2, 1, 0)), ("oldest", (0, 1, 2)), ("time", (1, 0, 2)),
    ("nonsense", (2, 0, 1)),
])
def test_tasks_are_sorted_as_asked_and_by_last_change_by_default(world, sortable, sort, order):
    assert ids(listed(world, sort=sort)) == [sortable[i] for i in order]


def test_sorting_by_title_puts_titles_in_alphabetical_order(world, sortable):
    titles = [r.title for r in listed(world, sort="title").items]
    assert titles == sorted(titles) and len(titles) == 3


def test_pages_split_the_list_and_report_the_total(world):
    made = [new_task(world.retail, subject=f"Task {n:02d}", at=NOW + timedelta(minutes=n)) for n in range(23)]

    pages = [listed(world, sort="oldest", page=n, page_size=10) for n in (1, 2, 3)]

    assert [ids(p) for p in pages] == [made[:10], made[10:20], made[20:]]
    assert {(p.total, p.pages) for p in pages} == {(23, 3)}


def test_a_page_past_the_end_is_empty_and_nonsense_page_numbers_and_sizes_are_clamped(world):
    made = [new_task(world.retail, subject=f"Task {n}", at=NOW + timedelta(minutes=n)) for n in range(3)]
    assert ids(listed(world, page=5, page_size=2)) == []
    clamped = listed(world, sort="oldest", page=0, page_size=0)
    assert (ids(clamped), clamped.page, clamped.page_size) == ([made[0]], 1, 1)
    assert listed(world, page_size=10_000).page_size == 100


def test_the_staff_queue_lists_every_organizations_open_tasks_with_their_organization(world, board):
    page = agent_work.queue(world.actor("agent"), page_size=100)
    assert page.total == 6
    assert {r.organization for r in page.items} == {"Northwind Retail", "Northwind Holdings", "Northwind Logistics",
                                                    "Fabrikam Clinics"}


def test_the_staff_queue_filters_by_organization_assignee_and_unassigned(world, board):
    agent = world.actor("agent")
    agent_work.assign(OPERATOR, board["open"], world.users["agent"].id)
    agent_work.assign(OPERATOR, board["progress"], world.users["staff_admin"].id)

    assert ids(agent_work.queue(agent, mine=True)) == [board["open"]]
    unassigned = agent_work.queue(agent, unassigned=True, organization_id=world.retail.id)
    assert ids(unassigned) == [board["waiting"]]
    assert {r.organization for r in agent_work.queue(agent, organization_id=world.fabrikam.id).items} == {
        "Fabrikam Clinics"}
    assert ids(agent_work.queue(agent, tab="closed", organization_id=world.retail.id, sort="oldest")) == [
        board["resolved"], board["closed"]]


def test_the_staff_queue_refuses_an_unknown_status(world):
    with pytest.raises(InvalidInput, match="^Unknown status.$"):
        agent_work.queue(world.actor("agent"), status="later")
