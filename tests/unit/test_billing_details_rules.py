"""Billing details as typed by a billing contact: address lines, a sane tax ID, one invoice e-mail address; and who
may change them."""

from __future__ import annotations

import pytest

from opsportal.domain.access import Principal, may_manage_billing
from opsportal.domain.billing_details import (
    address_lines,
    billing_problems,
    clean_billing_details,
)
from opsportal.domain.roles import Role


def test_an_address_is_kept_as_its_non_blank_lines_with_spaces_tidied():
    clean = clean_billing_details("  Northwind Holdings Ltd \r\n\n 1  Quay Street\nLondon  EC1A 1AA \n", "", "")
    assert clean.address == "Northwind Holdings Ltd\n1 Quay Street\nLondon EC1A 1AA"
    assert address_lines(clean.address) == ["Northwind Holdings Ltd", "1 Quay Street", "London EC1A 1AA"]


@pytest.mark.parametrize(("address", "problem"), [
    ("\n".join(f"line {n}" for n in range(9)), "use at most 8 lines"),
    ("ok\n" + "x" * 101, "line 2 is longer than 100 characters"),
    ("\n".join("y" * 100 for _ in range(6)), "use at most 500 characters in all"),
    ("1 Quay Street\x07", "use letters, digits and punctuation only"),
])
def test_an_address_that_does_not_fit_an_invoice_is_refused_with_the_reason(address, problem):
    assert billing_problems(address, "", "") == {"address": problem}


@pytest.mark.parametrize("tax_id", ["GB123456789", "12-3456789", "DE 123 456 789", "ABN 51.824.753/556", "A1"])
def test_common_tax_ids_are_accepted(tax_id):
    assert billing_problems("", tax_id, "") == {}


@pytest.mark.parametrize("tax_id", ["X", "--", "GB12345#", "<script>", "1" * 65, "ÅB12345"])
def test_a_tax_id_that_is_not_2_to_64_letters_digits_spaces_or_dash_dot_slash_is_refused(tax_id):
    assert set(billing_problems("", tax_id, "")) == {"tax_id"}


def test_the_invoice_email_is_normalized_and_empty_means_none():
    assert clean_billing_details("", "", " Accounts@Northwind.Example ").invoice_email == "Accounts@northwind.example"
    assert clean_billing_details("", "", "  ").invoice_email is None


def test_every_field_that_is_wrong_is_named_at_once():
    assert set(billing_problems("a\x00", "?", "not an address")) == {"address", "tax_id", "invoice_email"}


def test_clean_details_refuse_bad_input_naming_the_field_as_labelled():
    with pytest.raises(ValueError, match="^Invoice e-mail: "):
        clean_billing_details("", "", "accounts@")


@pytest.mark.parametrize(("role", "own", "allowed"), [
    (Role.owner, True, True), (Role.admin, True, True), (Role.billing, True, True), (Role.member, True, False),
    (Role.owner, False, False), (Role.billing, False, False), (Role.agent, False, False),
    (Role.staff_admin, False, True),
])
def test_billing_contacts_of_the_organization_and_staff_admins_manage_its_billing_details(role, own, allowed):
    principal = Principal(user_id=1, role=role, organization_id=(7 if own else 8) if not role.is_staff else None)
    assert may_manage_billing(principal, 7) is allowed
