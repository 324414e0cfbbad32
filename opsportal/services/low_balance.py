"""The low support-hours alert: each organization's threshold (set by its owners and administrators) and the job
that alerts the subscribers once each time the available support hours fall below it (a crossing)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import notifications as rules
from opsportal.domain.notifications import NotificationKind
from opsportal.models import Organization
from opsportal.services import credit_views, notice_mail, orgtree
from opsportal.services.authz import Actor, require_manage_organization, require_staff_admin, require_view_organization
from opsportal.services.errors import InvalidInput
from opsportal.services.notice_delivery import JobReport, Outcome, deliver, run_instant
from opsportal.services.notice_mail import Recipient
from opsportal.services.portal_urls import portal_url
from opsportal.services.subscriptions import lock_org

MAX_THRESHOLD_MINUTES = 1_000_000 * 60


def low_balance_threshold(actor: Actor, organization_id: int) -> int | None:
    """The organization's alert threshold in minutes (None: no alert)."""
    require_view_organization(actor, organization_id)
    with unit_of_work(write=False) as session:
        return orgtree.require_org(session, organization_id).low_balance_threshold_minutes


def set_low_balance_threshold(actor: Actor, organization_id: int, minutes: int | None) -> int | None:
    """Owners and administrators set (or with None remove) the threshold; a new threshold starts afresh, so a
    balance already below it is alerted at the next run."""
    require_manage_organization(actor, organization_id)
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                or not 0 < minutes <= MAX_THRESHOLD_MINUTES):
        raise InvalidInput("The alert threshold must be a positive number of hours.")
    with unit_of_work() as session:
        org = lock_org(session, organization_id)
        org.low_balance_threshold_minutes, org.low_balance_crossing = minutes, None
        session.add(org)
        return minutes


def _available_minutes(session: Session, organization_id: int, at: datetime) -> int:
    """Free support hours the organization may use at ``at``, as Hours & Credits reads them (the expiry schedule
    splits exactly the available credit)."""
    return sum(credit_views.expiry_schedule(session, organization_id, "support_hours", at).values())


def run_low_balance(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Alerts organizations whose available support hours are below their threshold: once per crossing."""
    require_staff_admin(actor)
    at = run_instant(at)
    kind = NotificationKind.low_balance
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run)
    with unit_of_work(write=False) as session:
        org_ids = list(session.exec(select(Organization.id).where(Organization.low_balance_threshold_minutes
                                                                  .is_not(None)).order_by(Organization.id)).all())
    for org_id in org_ids:
        with unit_of_work(write=not dry_run) as session:
            org = session.exec(select(Organization).where(Organization.id == org_id).with_for_update()).first()
            if org is None or org.low_balance_threshold_minutes is None:
                continue
            available = _available_minutes(session, org.id, at)
            threshold = org.low_balance_threshold_minutes
            crossing = rules.low_balance_key(available, threshold, org.low_balance_crossing, at)
            if not dry_run and crossing != org.low_balance_crossing:
                org.low_balance_crossing = crossing
                session.add(org)
            name = org.name
            recipients = notice_mail.recipients(session, kind, [org.id]).get(org.id, [])
        if crossing is None:
            report.outcomes.append(Outcome("skipped", kind.value, "", name, None,
                                           f"not below the threshold: {formats.duration(available)} "
                                           f"available, threshold {formats.duration(threshold)}"))
            continue
        if not recipients:
            report.outcomes.append(Outcome("skipped", kind.value, crossing, name, None, "no one subscribed"))
            continue
        subject = f"Support hours running low at {name}: {formats.duration(available)} left"

        def compose(r: Recipient, name=name, available=available, threshold=threshold, subject=subject):
            return notice_mail.notice(kind, r, name, "low_balance", subject=subject,
                                      heading="Support hours running low",
                                      preheader=f"{formats.duration(available)} available.", organization=name,
                                      available=formats.duration(available), threshold=formats.duration(threshold),
                                      checked_at=r.instant(at), buy_url=portal_url(routes.BUY_HOURS),
                                      credits_url=portal_url(routes.CREDITS))

        deliver(report, kind, crossing, name, recipients, compose)
    return report
