"""Builders and reads for the support-plan service tests.

Times are fixed in March 2025 (London on GMT): Wednesday 12 March is a business day in EMEA, Saturday 15 March
is not. Holdings buys in EMEA and has a team in AMER; its Gold term runs 12 March 2025 to 11 March 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import CreditHold, CreditLot, IncidentRequest, Invoice, InvoiceLine, PlanAudit, PlanEntitlement
from opsportal.services import plan_catalog, support_terms
from opsportal.services.operator import OPERATOR

WEDNESDAY_10AM = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)  # EMEA business hours
WEDNESDAY_NIGHT = datetime(2025, 3, 12, 23, 0, tzinfo=UTC)
SATURDAY_NOON = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
GOLD_START = date(2025, 3, 12)
DESCRIPTION = "The production cluster is down and our shop is offline."
TERMS = 1  # the version of the support terms ``publish_terms`` publishes, which purchases accept


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def publish_terms() -> int:
    """The support terms every purchase must accept (version 1, published once); returns the current version."""
    current = support_terms.read_terms()
    if current is not None:
        return current.version
    return support_terms.publish_terms(OPERATOR, title="Support terms", body="Support and maintenance terms. " * 10,
                                       at=datetime(2025, 1, 1, tzinfo=UTC)).version


def set_up_gold(org, *, home: str = "EMEA", extra: tuple[str, ...] = ("AMER",), start: date = GOLD_START,
                at: datetime = WEDNESDAY_10AM, addons: tuple[str, ...] = ()) -> None:
    publish_terms()
    plan_catalog.set_org_regions(OPERATOR, org.id, home, extra, at=at)
    plan_catalog.grant_entitlement(OPERATOR, org.id, "gold", start, note="Contract", at=at)
    for code in addons:
        plan_catalog.grant_entitlement(OPERATOR, org.id, code, start, at=at)


def entitlements(org_id: int) -> list[tuple[str, date, date]]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(PlanEntitlement).where(PlanEntitlement.organization_id == org_id,
                                                          PlanEntitlement.revoked_at.is_(None))
                            .order_by(PlanEntitlement.id)).all()
        return [(r.offering_code, r.start_date, r.end_date) for r in rows]


def invoice(invoice_id: int) -> Invoice:
    with unit_of_work(write=False) as session:
        return session.get(Invoice, invoice_id)


def invoice_lines(invoice_id: int) -> list[tuple[str, int, int, int, int | None]]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                            .order_by(InvoiceLine.position)).all()
        return [(r.description, r.quantity, r.unit_price_minor, r.amount_minor, r.ticket_id) for r in rows]


def incident(incident_id: int) -> IncidentRequest:
    with unit_of_work(write=False) as session:
        return session.get(IncidentRequest, incident_id)


def lots(org_id: int) -> list[CreditLot]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(CreditLot).where(CreditLot.holder_org_id == org_id)
                                 .order_by(CreditLot.id)).all())


def holds(ticket_id: int) -> list[tuple[int, int]]:
    with unit_of_work(write=False) as session:
        return [(h.lot_id, h.quantity) for h in session.exec(select(CreditHold).where(
            CreditHold.ticket_id == ticket_id, CreditHold.quantity > 0)).all()]


def audit_rows() -> list[PlanAudit]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(PlanAudit).order_by(PlanAudit.id)).all())
