"""Who reads which invoices: an organization's owners, admins and billing contacts see its open and paid ones;
members and other organizations are refused; staff also see drafts and void ones (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.domain import invoices as rules
from opsportal.services import billing_run, invoice_staff, invoice_terms, invoice_views
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.invoice_staff import ItemInput
from tests.utils.billing import FEBRUARY, INTRUDERS, NOT_YOURS, STAFF_ADMINS_ONLY, STAFF_ONLY, TODAY, invoice_row
from tests.utils.db import dump_tables


def test_an_owner_sees_the_organizations_open_and_paid_invoices_and_what_is_outstanding(issued):
    world, made = issued
    role = "retail_owner"
    listed = invoice_views.list_invoices(world.actor(role), world.retail.id, today=TODAY)
    assert sorted(r.id for r in listed.page.items) == sorted([made["retail"], made["retail_paid"]])
    assert listed.outstanding.amounts == {"USD": 20_000}
    detail = invoice_views.invoice_detail(world.actor(role), made["retail"], today=TODAY)
    assert (detail.row.id, detail.may_pay) == (made["retail"], True)


@pytest.mark.parametrize("role", ["admin", "billing", "owner"])
def test_owners_admins_and_billing_contacts_may_read_invoices(issued, role):
    world, made = issued
    actor = world.actor(f"holdings_{role}")
    assert [r.id for r in invoice_views.list_invoices(actor, world.holdings.id, today=TODAY).page.items] == [
        made["holdings"]]
    assert invoice_views.invoice_detail(actor, made["holdings"], today=TODAY).row.id == made["holdings"]


def test_members_are_refused_the_invoice_list_and_every_invoice(issued):
    world, made = issued
    member = world.actor("holdings_member")
    for call in (lambda: invoice_views.list_invoices(member, world.holdings.id),
                 lambda: invoice_views.invoice_detail(member, made["holdings"]),
                 lambda: invoice_views.export_rows(member, world.holdings.id)):
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert str(refused.value) == invoice_views.MEMBERS_REFUSED


def test_another_organizations_user_is_refused_its_invoices_even_in_the_same_tree(issued):
    world, made = issued
    before = dump_tables()
    for caller, target in INTRUDERS:
        actor = world.actor(caller)
        with pytest.raises(PermissionDenied, match=NOT_YOURS):
            invoice_views.list_invoices(actor, world.org(target).id)
        with pytest.raises(PermissionDenied, match=NOT_YOURS):
            invoice_views.export_rows(actor, world.org(target).id)
        with pytest.raises(NotFound) as refused:
            invoice_views.invoice_detail(actor, made[target])
        assert str(refused.value) == invoice_views.INVOICE_NOT_FOUND, (caller, target)
    with pytest.raises(NotFound) as unknown:
        invoice_views.invoice_detail(world.actor("retail_owner"), 987_654)
    assert str(unknown.value) == invoice_views.INVOICE_NOT_FOUND
    assert dump_tables() == before


def test_customers_never_see_draft_or_void_invoices_but_staff_do(issued):
    world, made = issued
    owner = world.actor("retail_owner")
    listed = [r.id for r in invoice_views.list_invoices(owner, world.retail.id).page.items]
    assert made["retail_draft"] not in listed and made["retail_void"] not in listed
    assert made["retail_void"] not in [r.id for r in invoice_views.export_rows(owner, world.retail.id)]
    for hidden in ("retail_draft", "retail_void"):
        with pytest.raises(NotFound, match=invoice_views.INVOICE_NOT_FOUND):
            invoice_views.invoice_detail(owner, made[hidden])
    for status in ("draft", "void"):
        with pytest.raises(InvalidInput, match="Filter by all, pending, overdue or paid."):
            invoice_views.list_invoices(owner, world.retail.id, status=status)

    staff = world.actor("agent")
    staff_view = [r.id for r in invoice_views.list_invoices(staff, world.retail.id).page.items]
    assert {made["retail_draft"], made["retail_void"]} <= set(staff_view)
    assert invoice_views.invoice_detail(staff, made["retail_void"]).stored_status == "void"
    assert [r.id for r in invoice_views.list_invoices(staff, world.retail.id, status="draft").page.items] == [
        made["retail_draft"]]
    assert len(invoice_views.list_invoices(staff, None, status="void").page.items) == 4


def test_an_open_invoice_is_listed_as_overdue_from_the_day_after_it_is_due(issued):
    world, made = issued
    owner = world.actor("retail_owner")
    due = invoice_row(made["retail"]).due_date

    on_due = invoice_views.list_invoices(owner, world.retail.id, status="pending", today=due)
    after = invoice_views.list_invoices(owner, world.retail.id, status="overdue", today=due + timedelta(days=1))

    assert [r.id for r in on_due.page.items] == [made["retail"]] and on_due.overdue_count == 0
    assert [r.id for r in after.page.items] == [made["retail"]]
    assert (after.overdue_count, after.overdue.amounts) == (1, {"USD": 20_000})
    assert after.page.items[0].status is rules.ShownStatus.overdue
    assert [r.id for r in invoice_views.list_invoices(owner, world.retail.id, status="paid").page.items] == [
        made["retail_paid"]]


def test_customers_cannot_bill_issue_or_list_every_organization(issued):
    world, made = issued
    owner = world.actor("retail_owner")
    before = dump_tables()
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        billing_run.run_billing(owner, FEBRUARY, today=TODAY)
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        billing_run.run_billing(world.actor("agent"), FEBRUARY, today=TODAY)
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_staff.create_pre_service_invoice(owner, world.retail.id, [ItemInput("Incident", 1, 100)])
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_staff.issue_draft(owner, made["retail_draft"])
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_views.list_invoices(owner, None)
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        invoice_terms.set_invoice_terms(owner, world.retail.id, tax_rate="0", payment_terms_days=90)
    assert dump_tables() == before
