"""A customer cancels their own service request before the support team starts on it: the task closes and the held
credits are released exactly as when staff cancel, in one transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.domain.services_catalog import RequestState
from opsportal.services import agent_work, services_catalog, tasks
from opsportal.services.errors import Conflict, NotFound, PermissionDenied
from tests.services.test_services_catalog import LATER, add_service, available, in_play, request, used
from tests.utils.db import row_counts
from tests.utils.ledger import NOW, cache_mismatches, grant


@pytest.fixture
def made(world):
    grant(world.holdings, 50)
    return request(world, add_service(world))


def test_the_owner_cancels_a_request_no_one_has_started_and_every_credit_comes_back(world, made):
    cancelled = services_catalog.cancel_own_request(world.actor("holdings_admin"), made.id, at=LATER)
    assert cancelled.state is RequestState.cancelled and cancelled.credits == 12
    assert in_play(world) == [] and used(world) == [] and available(world) == 50
    task = tasks.get_task(world.actor("holdings_owner"), made.ticket_id)
    assert task.row.status == "closed"
    assert "Service request cancelled: its 12 credits were released." in task.comments[-1].body
    assert cache_mismatches() == []


def test_a_request_with_time_logged_cannot_be_cancelled_by_the_customer_and_nothing_changes(world, made):
    agent_work.log_time(world.actor("agent"), made.ticket_id, minutes=30, work_date=NOW.date(), note="Looked",
                        at=NOW + timedelta(minutes=5))
    agent_work.set_status(world.actor("agent"), made.ticket_id, "open", at=NOW + timedelta(minutes=6))
    counts = row_counts()
    with pytest.raises(Conflict, match="started on this request"):
        services_catalog.cancel_own_request(world.actor("holdings_owner"), made.id, at=LATER)
    assert row_counts() == counts and in_play(world)[0].quantity == 12


def test_a_request_whose_task_is_in_progress_cannot_be_cancelled_by_the_customer(world, made):
    agent_work.set_status(world.actor("agent"), made.ticket_id, "in_progress", at=NOW + timedelta(minutes=5))
    with pytest.raises(Conflict, match="started on this request"):
        services_catalog.cancel_own_request(world.actor("holdings_owner"), made.id, at=LATER)
    assert in_play(world)[0].quantity == 12


def test_a_request_already_cancelled_or_done_cannot_be_cancelled_again(world, made):
    services_catalog.cancel_own_request(world.actor("holdings_owner"), made.id, at=LATER)
    with pytest.raises(Conflict, match="already cancelled"):
        services_catalog.cancel_own_request(world.actor("holdings_owner"), made.id, at=LATER)


def test_another_organizations_user_cannot_cancel_the_request_and_learns_nothing(world, made):
    counts = row_counts()
    for who in ("fabrikam_owner", "retail_owner"):  # another tree, and a subsidiary of the requester
        with pytest.raises(NotFound, match="not found or you do not have access"):
            services_catalog.cancel_own_request(world.actor(who), made.id, at=LATER)
    assert row_counts() == counts


def test_members_and_staff_cannot_use_the_customers_cancel(world, made):
    for who in ("holdings_member", "holdings_billing", "agent"):
        with pytest.raises(PermissionDenied, match="owners and administrators"):
            services_catalog.cancel_own_request(world.actor(who), made.id, at=LATER)
    assert in_play(world)[0].quantity == 12


@pytest.mark.parametrize("bad", [0, -1, 10**9, "1", None, True])
def test_an_unknown_or_malformed_request_id_is_refused_as_not_found(world, made, bad):
    with pytest.raises(NotFound, match="not found"):
        services_catalog.cancel_own_request(world.actor("holdings_owner"), bad, at=LATER)
