"""How the Account page names its fields in messages and lists the time zones (no database, no browser)."""

from __future__ import annotations

from datetime import UTC, datetime

from opsportal.state.account import password_problem, zone_choices


def test_a_refused_password_change_names_the_field_by_its_label_on_the_form():
    assert password_problem("Password must be at least 10 characters.") == (
        "new_password", "New password must be at least 10 characters.")
    assert password_problem("The current password is not correct.") == (
        "current_password", "Current password is not correct.")
    assert password_problem("The new password must differ from the current one.") == (
        "new_password", "New password must differ from Current password.")


def test_every_zone_on_offer_names_its_abbreviation_at_the_time_it_is_listed():
    winter = {z["value"]: z["label"] for z in zone_choices(datetime(2026, 1, 15, 12, tzinfo=UTC))}
    summer = {z["value"]: z["label"] for z in zone_choices(datetime(2026, 7, 15, 12, tzinfo=UTC))}
    assert winter["America/New_York"] == "America/New_York (EST)"
    assert summer["America/New_York"] == "America/New_York (EDT)"
    assert summer["Europe/London"] == "Europe/London (BST)"
    assert "UTC" in winter and "EST5EDT" not in winter
