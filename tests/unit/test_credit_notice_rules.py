"""What the credit notices say, as pure rules: the monthly statement (use by category, active credits by expiry
period, what expired) and the weekly expiry notice (by type, the total, the nearest date)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.credit_notices import (
    FreeCredit,
    ProductInfo,
    Usage,
    build_expiry_notice,
    build_statement,
    statement_due,
)
from opsportal.domain.ledger.lots import end_of_day

AT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)  # a Wednesday in ISO week 47
PRODUCTS = {
    "support_hours": ProductInfo("support_hours", "Support hours", "minute"),
    "service_credits": ProductInfo("service_credits", "Service credits", "credit"),
    "network_offer": ProductInfo("network_offer", "Network Offer", "credit"),
}


def expiring(days: int, quantity: int, kind: str = "purchased", product: str = "service_credits") -> FreeCredit:
    """Free credit usable through the end of the day ``days`` after AT's date."""
    return FreeCredit(product=product, kind=kind, expires_at=end_of_day(AT.date() + timedelta(days=days)),
                      quantity=quantity)


# --- formatting ------------------------------------------------------------------------------------------------


def test_notices_write_minutes_as_a_duration_credits_as_a_count_and_days_in_full_through_formats():
    free = [expiring(3, 90, "purchased", "support_hours"), expiring(3, 1250)]
    hours, credits = build_expiry_notice("Northwind Holdings", AT, PRODUCTS, free).sections
    assert (hours.total.total_text, hours.total.nearest_text) == ("1 h 30 min", "21 November 2026")
    assert credits.total.total_text == "1,250 credits"
    assert hours.total.note == "All of it expires on 21 November 2026."


# --- the monthly statement -------------------------------------------------------------------------------------


@given(st.integers(0, 5), st.integers(0, 5))
def test_a_statement_is_due_only_if_credits_were_used_or_some_are_active(used, active):
    assert statement_due(used, active) is (used > 0 or active > 0)


def test_the_statement_shows_use_by_category_active_credits_by_expiry_period_and_what_expired():
    free = [expiring(10, 480, "complimentary", "support_hours"), expiring(20, 600, product="support_hours"),
            expiring(75, 2400, product="support_hours"), expiring(25, 50, "complimentary"),
            FreeCredit("service_credits", "purchased", None, 200),
            expiring(-1, 999)]  # expired yesterday: not active
    usage = [Usage("support_hours", "Networking", 95), Usage("support_hours", "Infrastructure", 180),
             Usage("service_credits", "Consulting", 7)]

    statement = build_statement("Northwind Holdings", AT, PRODUCTS, free, usage, {"support_hours": 400},
                                {"support_hours": 60})

    assert (statement.organization, statement.period) == ("Northwind Holdings", "November 2026")
    assert (statement.since, statement.until) == (date(2026, 10, 19), date(2026, 11, 18))
    hours, credits = statement.sections
    assert [(line.label, line.amount) for line in hours.used] == [("Infrastructure", "3 h"),
                                                                   ("Networking", "1 h 35 min")]
    assert hours.used_total == "4 h 35 min"
    assert [(line.label, line.amount) for line in hours.active] == [("Expire within 30 days", "18 h"),
                                                                     ("Expire in 61 to 90 days", "40 h")]
    assert (hours.active_total, hours.expiring_soon, hours.in_play, hours.expired) == (
        "58 h", "18 h", "1 h", "6 h 40 min")
    assert [(line.label, line.amount) for line in credits.active] == [("Expire within 30 days", "50 credits"),
                                                                       ("Do not expire", "200 credits")]
    assert (credits.used_total, credits.active_total, credits.expired, credits.in_play) == (
        "7 credits", "250 credits", "0 credits", None)


def test_an_organization_that_used_nothing_and_holds_nothing_active_gets_no_statement():
    assert build_statement("Fabrikam", AT, PRODUCTS, [expiring(-3, 40)], [], {"service_credits": 40}) is None


def test_an_organization_that_only_used_credits_gets_a_statement():
    statement = build_statement("Fabrikam", AT, PRODUCTS, [], [Usage("service_credits", "Cloud", 3)], {})
    assert [s.product for s in statement.sections] == ["service_credits"]
    assert statement.sections[0].active == []


def test_statement_sections_list_support_hours_then_service_credits_then_other_products():
    free = [FreeCredit("network_offer", "purchased", None, 1), FreeCredit("service_credits", "purchased", None, 1),
            FreeCredit("support_hours", "purchased", None, 1)]
    statement = build_statement("X", AT, PRODUCTS, free, [], {})
    assert [s.product for s in statement.sections] == ["support_hours", "service_credits", "network_offer"]


# --- the weekly expiry notice ------------------------------------------------------------------------------------


def test_the_expiry_notice_gives_per_type_totals_the_total_and_the_nearest_date_and_says_not_all_expires_then():
    free = [expiring(10, 480, "complimentary", "support_hours"), expiring(20, 600, "purchased", "support_hours"),
            expiring(28, 120, "purchased", "support_hours"), expiring(75, 2400, "purchased", "support_hours"),
            expiring(25, 50, "complimentary")]

    notice = build_expiry_notice("Northwind Holdings", AT, PRODUCTS, free)

    assert (notice.until, notice.nearest) == (date(2026, 12, 18), date(2026, 11, 28))
    hours, credits = notice.sections
    assert [(t.label, t.total_text, t.nearest_text) for t in hours.by_type] == [
        ("Purchased", "12 h", "8 December 2026"), ("Complimentary", "8 h", "28 November 2026")]
    assert (hours.total.total_text, hours.total.nearest_text, hours.total.on_nearest_text) == (
        "20 h", "28 November 2026", "8 h")
    assert hours.total.note == ("Not all of the total expires on 28 November 2026: 8 h expire on that date "
                                "and 12 h later in the next 30 days.")
    assert hours.by_type[0].note.startswith("Not all of the total expires on 8 December 2026: 10 h")
    assert credits.total.note == "All of it expires on 13 December 2026."


def test_credit_expiring_at_the_end_of_the_30th_day_is_in_the_notice_and_on_the_31st_is_not():
    assert build_expiry_notice("X", AT, PRODUCTS, [expiring(30, 1)]) is not None
    assert build_expiry_notice("X", AT, PRODUCTS,
                               [expiring(-1, 1), FreeCredit("service_credits", "purchased", None, 5)]) is None
    assert build_expiry_notice("X", AT, PRODUCTS, [expiring(31, 1)]) is None


@given(st.lists(st.tuples(st.integers(-5, 40), st.integers(1, 500), st.sampled_from(["purchased", "complimentary"])),
                min_size=1, max_size=12))
def test_an_expiry_notices_total_is_the_sum_of_its_types_and_its_nearest_date_the_earliest(lots):
    free = [expiring(days, q, kind) for days, q, kind in lots]
    notice = build_expiry_notice("X", AT, PRODUCTS, free)
    soon = [(days, q) for days, q, _ in lots if 0 <= days <= 30]
    if not soon:
        assert notice is None
        return
    (section,) = notice.sections
    assert section.total.total == sum(t.total for t in section.by_type) == sum(q for _, q in soon)
    nearest = min(d for d, _ in soon)
    assert section.total.nearest == AT.date() + timedelta(days=nearest)
    assert section.total.on_nearest == sum(q for d, q in soon if d == nearest)
    assert section.total.note.startswith("All of it") is (section.total.on_nearest == section.total.total)
