"""A pay-per-incident request accepts the current support terms, as a plan or add-on order does: refused without
them or with another version (nothing written), and the acceptance is written in the request's transaction with
what was bought."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import SupportTermsAcceptance
from opsportal.services import incidents, support_terms
from opsportal.services.errors import InvalidInput, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.db import row_counts
from tests.utils.plans import DESCRIPTION, SATURDAY_NOON, TERMS, set_up_gold

BODY = "These terms govern support and maintenance of the products you licensed. " * 5


@pytest.fixture
def gold(world):
    set_up_gold(world.holdings)
    return world


def emergency(world, accepted, who: str = "holdings_owner", org=None):
    org = org or world.holdings
    return incidents.request_incident(world.actor(who), org.id, "emergency", None, 2, "Shop offline", DESCRIPTION,
                                      accepted_terms=accepted, at=SATURDAY_NOON)


def acceptances() -> list[SupportTermsAcceptance]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(SupportTermsAcceptance).order_by(SupportTermsAcceptance.id)).all())


@pytest.mark.parametrize("accepted", [None, 0, TERMS + 1])
def test_a_request_without_the_current_terms_accepted_is_refused_and_nothing_is_written(gold, accepted):
    before = row_counts()
    with pytest.raises(InvalidInput, match="support terms"):
        emergency(gold, accepted)
    assert row_counts() == before  # no task, no invoice, no request, no acceptance


def test_after_a_new_version_is_published_a_request_accepting_the_old_one_is_refused(gold):
    new = support_terms.publish_terms(OPERATOR, title="Terms v2", body=BODY, at=datetime(2025, 3, 1, tzinfo=UTC))
    before = row_counts()
    with pytest.raises(InvalidInput, match=f"changed to version {new.version}"):
        emergency(gold, TERMS)
    assert row_counts() == before
    result = emergency(gold, new.version)
    [row] = acceptances()
    assert (row.version, row.incident_request_id) == (new.version, result.incident_id)


def test_the_acceptance_is_written_with_the_request_naming_what_was_bought(gold):
    result = emergency(gold, TERMS)
    [row] = acceptances()
    assert (row.version, row.organization_id, row.incident_request_id, row.plan_order_id) == (
        TERMS, gold.holdings.id, result.incident_id, None)
    assert row.accepted_at == SATURDAY_NOON and row.user_name == "Olivia Hart"
    assert row.purchase.startswith(f"Invoice {result.invoice_number}: Pay-Per-Incident Emergency After-Hours")
    assert f"task #{result.ticket_id}" in row.purchase
    mine = support_terms.acceptances(gold.actor("holdings_member"), organization_id=gold.holdings.id).items
    assert [(a.version, a.purchase) for a in mine] == [(TERMS, row.purchase)]


def test_another_organizations_user_cannot_request_for_it_nor_read_its_acceptances(gold):
    emergency(gold, TERMS)
    before = row_counts()
    with pytest.raises(PermissionDenied):
        emergency(gold, TERMS, who="fabrikam_owner")
    assert row_counts() == before
    with pytest.raises(PermissionDenied):
        support_terms.acceptances(gold.actor("fabrikam_owner"), organization_id=gold.holdings.id)
