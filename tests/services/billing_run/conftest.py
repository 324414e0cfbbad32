"""The billing-run tests' scenes: pay-as-you-go time logged in February 2025, and invoices issued from it."""

from __future__ import annotations

import pytest

from opsportal.db import unit_of_work
from opsportal.models import Invoice
from opsportal.services import invoice_staff
from opsportal.services.operator import OPERATOR
from tests.utils.billing import feb, log_on, pre_service
from tests.utils.tasks import new_task, set_rate


@pytest.fixture
def february(world):
    """Retail (USD 120.00 an hour) and Holdings (USD 100.00) logged pay-as-you-go time in February."""
    set_rate(world.retail, 12_000)
    set_rate(world.holdings, 10_000)
    printer = new_task(world.retail, subject="Printer offline")
    vpn = new_task(world.retail, subject="VPN drops")
    server = new_task(world.holdings, subject="Server patching")
    entries = {
        "printer_1": log_on(printer, 60, feb(3)),
        "printer_2": log_on(printer, 30, feb(10)),
        "vpn": log_on(vpn, 45, feb(20)),
        "server": log_on(server, 120, feb(5)),
    }
    return world, {"printer": printer, "vpn": vpn, "server": server}, entries


@pytest.fixture
def issued(world):
    """Each organization has an open, a draft and a void invoice; retail also a paid one."""
    made = {}
    for name in ("holdings", "retail", "logistics", "fabrikam"):
        org = world.org(name)
        made[name] = pre_service(org, (f"{name} incident", 1, 20_000)).id
        made[f"{name}_draft"] = pre_service(org, issue=False).id
        made[f"{name}_void"] = pre_service(org).id
        invoice_staff.void_invoice(OPERATOR, made[f"{name}_void"], reason="Issued twice")
    paid = pre_service(world.retail, ("Paid incident", 1, 5_000)).id
    with unit_of_work() as session:
        row = session.get(Invoice, paid)
        row.status, row.amount_paid_minor = "paid", row.total_minor
        session.add(row)
    made["retail_paid"] = paid
    return world, made
