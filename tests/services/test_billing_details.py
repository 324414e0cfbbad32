"""Billing details on a real database: billing contacts (owner, admin, billing) and staff administrators change
their organization's bill-to address, tax ID and invoice e-mail; members, agents and other organizations' users
are refused; bad input is refused field by field and writes nothing."""

from __future__ import annotations

import pytest

from opsportal.services import billing_details
from opsportal.services.billing_details import BillingDetailsInput, BillingDetailsInvalid
from opsportal.services.errors import PermissionDenied
from tests.utils.builders import load_org

GOOD = BillingDetailsInput(address="Northwind Holdings Ltd\n1 Quay Street\nLondon EC1A 1AA", tax_id="GB123456789",
                           invoice_email="Accounts@Northwind.Example")


def stored(org) -> tuple[str, str, str | None]:
    row = load_org(org.id)
    return row.billing_address, row.tax_id, row.invoice_email


@pytest.mark.parametrize("who", ["holdings_owner", "holdings_admin", "holdings_billing", "staff_admin"])
def test_billing_contacts_and_staff_admins_save_the_billing_details(world, who):
    saved = billing_details.save(world.actor(who), world.holdings.id, GOOD)
    assert saved.address_lines == ["Northwind Holdings Ltd", "1 Quay Street", "London EC1A 1AA"]
    assert stored(world.holdings) == (GOOD.address, "GB123456789", "Accounts@northwind.example")
    assert billing_details.get(world.actor("holdings_billing"), world.holdings.id).tax_id == "GB123456789"


def test_clearing_the_fields_leaves_no_address_no_tax_id_and_no_invoice_email(world):
    billing_details.save(world.actor("holdings_billing"), world.holdings.id, GOOD)
    billing_details.save(world.actor("holdings_billing"), world.holdings.id, BillingDetailsInput("", " ", ""))
    assert stored(world.holdings) == ("", "", None)


def test_a_member_may_neither_read_nor_change_the_billing_details(world):
    with pytest.raises(PermissionDenied):
        billing_details.get(world.actor("holdings_member"), world.holdings.id)
    with pytest.raises(PermissionDenied, match="owners, administrators and billing contacts"):
        billing_details.save(world.actor("holdings_member"), world.holdings.id, GOOD)
    assert stored(world.holdings) == ("", "", None)


@pytest.mark.parametrize(("who", "org"), [("fabrikam_owner", "holdings"), ("holdings_billing", "retail"),
                                          ("retail_owner", "holdings"), ("logistics_owner", "retail")])
def test_another_organizations_user_is_refused_reading_and_changing_them(world, who, org):
    target = world.org(org)
    with pytest.raises(PermissionDenied, match="not found or you do not have access"):
        billing_details.get(world.actor(who), target.id)
    with pytest.raises(PermissionDenied, match="not found or you do not have access"):
        billing_details.save(world.actor(who), target.id, GOOD)
    assert stored(target) == ("", "", None)


def test_an_agent_reads_the_details_but_does_not_change_them(world):
    assert billing_details.get(world.actor("agent"), world.holdings.id).may_edit is False
    with pytest.raises(PermissionDenied):
        billing_details.save(world.actor("agent"), world.holdings.id, GOOD)


def test_bad_details_are_refused_field_by_field_and_nothing_is_written(world):
    billing_details.save(world.actor("holdings_billing"), world.holdings.id, GOOD)
    bad = BillingDetailsInput(address="\n".join(f"line {n}" for n in range(9)), tax_id="GB#1",
                              invoice_email="accounts@")
    with pytest.raises(BillingDetailsInvalid) as refused:
        billing_details.save(world.actor("holdings_billing"), world.holdings.id, bad)
    assert refused.value.problems == {
        "address": "Billing address: use at most 8 lines.",
        "tax_id": "Tax ID: use letters, digits, spaces and - . / only.",
        "invoice_email": "Invoice e-mail: enter one e-mail address, such as accounts@example.com."}
    assert stored(world.holdings) == (GOOD.address, "GB123456789", "Accounts@northwind.example")


def test_who_may_edit_is_part_of_what_is_read(world):
    assert billing_details.get(world.actor("holdings_billing"), world.holdings.id).may_edit is True
