"""The credit notices' jobs: the monthly credit statement and the weekly expiry notice, to every subscriber of an
organization that has something to report. The figures come from ``credit_views``; what a notice says is
``domain.credit_notices``; each notice is sent at most once per period (``notice_delivery``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.domain import credit_notices as content
from opsportal.domain import formats
from opsportal.domain import notifications as rules
from opsportal.domain.credit_notices import ProductInfo
from opsportal.domain.notifications import NotificationKind
from opsportal.models import ProductRow
from opsportal.services import credit_views, mailer, notice_mail, orgtree
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.notice_delivery import JobReport, Outcome, deliver, run_instant
from opsportal.services.notice_mail import Recipient
from opsportal.services.portal_urls import portal_url


def _products(session: Session) -> dict[str, ProductInfo]:
    return {p.code: ProductInfo(p.code, p.name, p.unit) for p in session.exec(select(ProductRow)).all()}


def _subscribers(kind: NotificationKind) -> tuple[dict[int, list[Recipient]], dict[int, str]]:
    """Every organization's subscribers of ``kind`` and the organizations' names."""
    with unit_of_work(write=False) as session:
        by_org = notice_mail.recipients(session, kind)
        return by_org, orgtree.names(session, set(by_org))


def run_monthly(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Monthly credit statements for the month of ``at`` to every subscriber whose organization used credits in
    the last 30 days or holds active credits."""
    require_staff_admin(actor)
    at = run_instant(at)
    since = at - timedelta(days=content.WINDOW_DAYS)
    kind = NotificationKind.monthly_statement
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run, period=rules.month_key(at))
    by_org, names = _subscribers(kind)
    for org_id, recipients in by_org.items():
        with unit_of_work(write=False) as session:
            statement = content.build_statement(
                names[org_id], at, _products(session), credit_views.free_credits(session, org_id, at),
                credit_views.used_by_product_and_category(session, org_id, since, at),
                credit_views.expired_by_product(session, org_id, since, at),
                credit_views.in_play_by_product(session, org_id))
        if statement is None:
            report.outcomes.append(Outcome("skipped", kind.value, report.period, names[org_id], None,
                                           "nothing to report: no credits used in the past month and none active"))
            continue
        subject = f"Credit statement for {statement.period}: {statement.organization}"

        def compose(r: Recipient, statement=statement, subject=subject) -> mailer.Mail:
            return notice_mail.notice(kind, r, statement.organization, "monthly_statement", subject=subject,
                                      heading=f"Credit statement, {statement.period}",
                                      preheader=f"Credits used, active and expired at {statement.organization}.",
                                      statement=statement, since=r.instant(since), until=r.instant(at),
                                      credits_url=portal_url(routes.CREDITS))

        deliver(report, kind, report.period, names[org_id], recipients, compose)
    return report


def run_weekly(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Weekly expiry notices for the ISO week of ``at`` to every subscriber whose organization has usable credits
    expiring in the next 30 days."""
    require_staff_admin(actor)
    at = run_instant(at)
    kind = NotificationKind.weekly_expiry
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run, period=rules.week_key(at))
    by_org, names = _subscribers(kind)
    for org_id, recipients in by_org.items():
        with unit_of_work(write=False) as session:
            notice = content.build_expiry_notice(names[org_id], at, _products(session),
                                                 credit_views.free_credits(session, org_id, at))
        if notice is None:
            report.outcomes.append(Outcome("skipped", kind.value, report.period, names[org_id], None,
                                           "nothing to report: no credits expire in the next 30 days"))
            continue
        subject = (f"Credits expiring in the next 30 days at {notice.organization} "
                   f"(nearest {formats.long_day(notice.nearest)})")

        def compose(r: Recipient, notice=notice, subject=subject) -> mailer.Mail:
            return notice_mail.notice(kind, r, notice.organization, "weekly_expiry", subject=subject,
                                      heading="Credits expiring in the next 30 days",
                                      preheader=f"Nearest expiry: {formats.long_day(notice.nearest)}.", notice=notice,
                                      until=formats.long_day(notice.until), credits_url=portal_url(routes.CREDITS))

        deliver(report, kind, report.period, names[org_id], recipients, compose)
    return report
