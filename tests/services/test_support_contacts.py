"""Phone support and the support terms as services: staff administrators edit numbers, hours and terms (bad input
refused, nothing written); a customer reads only their own organization's lines and acceptances; an order is
refused without the current terms accepted, and its acceptance is written with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import phone_live
from opsportal.models import PlanOrder, SupportPhone, SupportTermsAcceptance
from opsportal.services import changes, plan_catalog, plan_orders, support_phones, support_terms
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.services.plan_orders import OrderItem
from tests.utils.db import row_counts
from tests.utils.plans import SATURDAY_NOON, TERMS, WEDNESDAY_10AM, publish_terms, set_up_gold

EVERYDAY = OrderItem("everyday_after_hours")
BODY = "These terms govern support and maintenance of the products you licensed. " * 5


@pytest.fixture
def lines(world):
    """Holdings on Gold in EMEA (a team in AMER); numbers for EMEA and AMER."""
    set_up_gold(world.holdings)
    support_phones.add_phone(OPERATOR, "EMEA", label="Main line", number="+44 20 7946 0321")
    support_phones.add_phone(OPERATOR, "AMER", label="Main line", number="+1 202 555 0143")
    return world


def phone_count() -> int:
    with unit_of_work(write=False) as session:
        return len(session.exec(select(SupportPhone.id)).all())


# --------------------------------------------------------------------------------------------- phone lines


def test_a_customer_reads_their_home_regions_number_and_when_it_opens_in_their_own_zone(lines):
    member = lines.actor("holdings_member")
    view = support_phones.support_contacts(member, lines.holdings.id, SATURDAY_NOON)
    assert [(r.code, [p.number for p in r.phones], r.open) for r in view.regions] == [
        ("EMEA", ["+442079460321"], False)]
    assert view.regions[0].status == "Closed — opens Monday at 08:00 UTC"  # the test user's zone is UTC
    assert view.other_regions == ["AMER"]  # without Multi-Regional AMER calls EMEA
    open_now = support_phones.support_contacts(member, lines.holdings.id, WEDNESDAY_10AM).regions[0]
    assert (open_now.open, open_now.status, open_now.basis) == (True, "Open now — until 18:00 UTC",
                                                                "Gold business hours")


def test_without_gold_no_number_is_given_and_phone_support_is_said_to_come_with_gold(world):
    support_phones.add_phone(OPERATOR, "EMEA", label="Main line", number="+44 20 7946 0321")
    plan_catalog.set_org_regions(OPERATOR, world.holdings.id, "EMEA", at=WEDNESDAY_10AM)
    view = support_phones.support_contacts(world.actor("holdings_owner"), world.holdings.id, WEDNESDAY_10AM)
    assert view.regions == [] and not view.gold_active and view.may_buy
    assert view.message.startswith("Phone support comes with Gold Support")


def test_another_organizations_user_is_refused_its_lines_and_acceptances(lines):
    for outsider in ("fabrikam_owner", "retail_owner"):  # unrelated, and a subsidiary
        with pytest.raises(PermissionDenied):
            support_phones.support_contacts(lines.actor(outsider), lines.holdings.id, WEDNESDAY_10AM)
        with pytest.raises(PermissionDenied):
            support_terms.acceptances(lines.actor(outsider), organization_id=lines.holdings.id)
    with pytest.raises(PermissionDenied):  # every organization's acceptances: staff only
        support_terms.acceptances(lines.actor("holdings_owner"))


@pytest.mark.parametrize("who", ["holdings_owner", "holdings_admin", "agent"])
def test_only_staff_administrators_edit_numbers_hours_and_terms(lines, who):
    actor = lines.actor(who)
    phone_id = next(r for r in support_phones.region_hours(OPERATOR) if r.code == "EMEA").phones[0].id
    before = row_counts()
    for change in (lambda: support_phones.add_phone(actor, "EMEA", label="Other", number="+44 20 7946 0999"),
                   lambda: support_phones.update_phone(actor, phone_id, label="X", number="+44 20 7946 0998"),
                   lambda: support_phones.remove_phone(actor, phone_id),
                   lambda: support_phones.set_region_hours(actor, "EMEA", start="07:00", end="19:00",
                                                           days=[0, 1, 2, 3, 4]),
                   lambda: support_terms.publish_terms(actor, title="Terms", body=BODY)):
        with pytest.raises(PermissionDenied):
            change()
    assert row_counts() == before
    if who != "agent":
        with pytest.raises(PermissionDenied):
            support_phones.region_hours(actor)


@pytest.mark.parametrize("number, message", [
    ("020 7946 0321", "not an international phone number"),
    ("+44 12", "too short for a United Kingdom number"),
    ("+44 7700 900123", "is not a valid United Kingdom number"),
    ("+999 1234 5678", "country code that exists"),
    ("+44 (0)20 7946 0321", "already a number of EMEA"),  # the same number, written with the UK's trunk 0
])
def test_a_bad_or_repeated_number_is_refused_and_nothing_is_written(lines, number, message):
    count = phone_count()
    with pytest.raises((InvalidInput, Conflict), match=message):
        support_phones.add_phone(OPERATOR, "EMEA", label="Second line", number=number)
    assert phone_count() == count


def test_a_number_is_stored_in_e164_however_staff_type_it_and_a_change_is_checked_the_same_way(lines):
    row = support_phones.add_phone(OPERATOR, "AMER", label="Toll-free", number="001 (800) 555-0199")
    assert row.number == "+18005550199"
    with pytest.raises(InvalidInput, match="wrong number of digits for a United States number"):
        support_phones.update_phone(OPERATOR, row.id, label="Toll-free", number="+1 800 555 01")
    assert next(r for r in support_phones.region_hours(OPERATOR) if r.code == "AMER").phones[-1].number == \
        "+18005550199"


def test_a_staff_edit_of_numbers_or_hours_wakes_the_contact_pages_on_the_change_feed(lines):
    topics = support_phones.change_topics(lines.actor("holdings_member"), lines.holdings.id)
    assert changes.SUPPORT_LINES_TOPIC in topics
    for edit in (lambda: support_phones.add_phone(OPERATOR, "APAC", label="Main line", number="+852 3001 2345"),
                 lambda: support_phones.set_region_hours(OPERATOR, "EMEA", start="07:30", end="18:00",
                                                         days=[0, 1, 2, 3, 4])):
        after = changes.newest_id()
        edit()
        assert changes.SUPPORT_LINES_TOPIC in {topic for _, topic in changes.since(after)}
    with pytest.raises(PermissionDenied):
        support_phones.change_topics(lines.actor("fabrikam_owner"), lines.holdings.id)


def test_the_lines_read_carry_their_states_so_the_page_words_them_later_as_a_fresh_read_would(lines):
    member = lines.actor("holdings_member")
    friday_5pm = datetime(2025, 3, 14, 17, 0, tzinfo=UTC)
    read = support_phones.support_contacts(member, lines.holdings.id, friday_5pm).regions[0]
    assert read.status == "Open now — until 18:00 UTC"
    for later in (datetime(2025, 3, 14, 17, 59, tzinfo=UTC), datetime(2025, 3, 14, 18, 0, 30, tzinfo=UTC),
                  datetime(2025, 3, 17, 8, 5, tzinfo=UTC)):
        fresh = support_phones.support_contacts(member, lines.holdings.id, later).regions[0]
        assert phone_live.words(read.live, member.time_zone, later) == (fresh.status, fresh.open, fresh.basis)


def test_a_number_for_an_unknown_region_or_without_a_label_is_refused(lines):
    with pytest.raises(InvalidInput, match="Unknown region"):
        support_phones.add_phone(OPERATOR, "MARS", label="Main line", number="+44 20 7946 0999")
    with pytest.raises(InvalidInput, match="label"):
        support_phones.add_phone(OPERATOR, "EMEA", label=" ", number="+44 20 7946 0999")
    with pytest.raises(NotFound):
        support_phones.remove_phone(OPERATOR, 999_999)


def test_staff_change_and_remove_a_number_and_it_is_audited(lines):
    emea = next(r for r in support_phones.region_hours(OPERATOR) if r.code == "EMEA")
    changed = support_phones.update_phone(OPERATOR, emea.phones[0].id, label="Switchboard", number="+442079460322")
    assert (changed.label, changed.number) == ("Switchboard", "+442079460322")
    support_phones.remove_phone(OPERATOR, changed.id)
    view = support_phones.support_contacts(lines.actor("holdings_member"), lines.holdings.id, WEDNESDAY_10AM)
    assert view.regions[0].phones == ()


@pytest.mark.parametrize("start, end, days, message", [
    ("18:00", "08:00", [0, 1, 2, 3, 4], "start before they end"),
    ("8", "18:00", [0, 1, 2, 3, 4], "HH:MM"),
    ("08:00", "08:30", [0, 1, 2, 3, 4], "at least one hour"),
    ("08:00", "18:00", [], "one or more business days"),
    ("08:00", "18:00", [9], "one or more business days"),
])
def test_insane_business_hours_are_refused_and_nothing_changes(lines, start, end, days, message):
    with pytest.raises(InvalidInput, match=message):
        support_phones.set_region_hours(OPERATOR, "EMEA", start=start, end=end, days=days)
    emea = next(r for r in support_phones.region_hours(OPERATOR) if r.code == "EMEA")
    assert (emea.start, emea.end, emea.days) == ("08:00", "18:00", (0, 1, 2, 3, 4))


def test_new_business_hours_move_when_the_line_opens(lines):
    support_phones.set_region_hours(OPERATOR, "EMEA", start="07:00", end="19:00", days=[0, 1, 2, 3, 4, 5])
    view = support_phones.support_contacts(lines.actor("holdings_member"), lines.holdings.id, SATURDAY_NOON)
    assert view.regions[0].status == "Open now — until 19:00 UTC"  # Saturdays are business days now


# ------------------------------------------------------------------------------------------------- terms


def acceptance_rows() -> list[SupportTermsAcceptance]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(SupportTermsAcceptance).order_by(SupportTermsAcceptance.id)).all())


def test_an_order_records_who_accepted_which_terms_version_in_its_transaction(lines):
    owner = lines.actor("holdings_owner")
    result = plan_orders.order_plan(owner, lines.holdings.id, [EVERYDAY], accepted_terms=TERMS, at=WEDNESDAY_10AM)
    [row] = acceptance_rows()
    with unit_of_work(write=False) as session:
        order = session.get(PlanOrder, result.order_id)
    assert (row.version, row.organization_id, row.user_id, row.plan_order_id) == (
        TERMS, lines.holdings.id, owner.user_id, order.id)
    assert row.accepted_at == WEDNESDAY_10AM and "Everyday After-Hours" in row.purchase
    assert result.invoice_number in row.purchase
    mine = support_terms.acceptances(lines.actor("holdings_member"), organization_id=lines.holdings.id).items
    assert [(a.version, a.user) for a in mine] == [(TERMS, "Olivia Hart")]
    assert support_terms.acceptances(lines.actor("fabrikam_owner"), organization_id=lines.fabrikam.id).items == []


@pytest.mark.parametrize("accepted", [None, 0, 2])
def test_an_order_without_the_current_terms_accepted_is_refused_and_nothing_is_written(lines, accepted):
    before = row_counts()
    with pytest.raises(InvalidInput, match="support terms"):
        plan_orders.order_plan(lines.actor("holdings_owner"), lines.holdings.id, [EVERYDAY], accepted_terms=accepted,
                               at=WEDNESDAY_10AM)
    assert row_counts() == before  # no order, no invoice, no acceptance


def test_after_a_new_version_is_published_an_order_accepting_the_old_one_is_refused(lines):
    new = support_terms.publish_terms(OPERATOR, title="Terms v2", body=BODY, summary="Phone hours",
                                      at=datetime(2025, 3, 1, tzinfo=UTC))
    assert new.version == TERMS + 1 and new.current
    with pytest.raises(InvalidInput, match=f"changed to version {new.version}"):
        plan_orders.order_plan(lines.actor("holdings_owner"), lines.holdings.id, [EVERYDAY], accepted_terms=TERMS,
                               at=WEDNESDAY_10AM)
    plan_orders.order_plan(lines.actor("holdings_owner"), lines.holdings.id, [EVERYDAY],
                           accepted_terms=new.version, at=WEDNESDAY_10AM)
    assert support_terms.read_terms(TERMS).current is False  # the old text is kept
    assert support_terms.read_terms().body == BODY.strip()
    versions = support_terms.terms_versions(lines.actor("agent")).items
    assert [(v.version, v.acceptances) for v in versions] == [(2, 1), (1, 0)]


def test_nothing_can_be_bought_before_any_terms_are_published(world):
    plan_catalog.set_org_regions(OPERATOR, world.holdings.id, "EMEA", at=WEDNESDAY_10AM)
    assert support_terms.read_terms() is None
    with pytest.raises(InvalidInput, match="not published yet"):
        plan_orders.order_plan(world.actor("holdings_owner"), world.holdings.id, [OrderItem("gold")],
                               accepted_terms=1, at=WEDNESDAY_10AM)


@pytest.mark.parametrize("title, body, message", [("", BODY, "title"), ("Terms", "Short.", "too short")])
def test_a_terms_version_without_a_title_or_text_is_refused(world, title, body, message):
    publish_terms()
    with pytest.raises(InvalidInput, match=message):
        support_terms.publish_terms(OPERATOR, title=title, body=body)
    assert support_terms.read_terms().version == TERMS
    with pytest.raises(NotFound):
        support_terms.read_terms(99)
