"""Delivering a notice at most once, and the report of a job run.

Every notice is one ``notification_delivery`` row per (user, kind, period). A job claims the row
(``pending``/``failed`` -> ``sending``, a compare-and-set), sends, then records ``sent`` or ``failed``.
So a job run again for the same period sends nothing new; a failed send is retried by the next
run (up to ``MAX_ATTEMPTS``) and reported each time; a run that crashed between handing a message
to the SMTP server and recording it leaves the row ``sending``, which is reported as unconfirmed
and never sent again: a notice goes to a user at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import notifications as rules
from opsportal.domain.notifications import NotificationKind
from opsportal.models import NotificationDelivery
from opsportal.services import mailer
from opsportal.services.notice_mail import Recipient

log = logging.getLogger(__name__)


def run_instant(at: datetime | None) -> datetime:
    """The instant a job run is for, in UTC (default: now)."""
    return (at or clock.now()).astimezone(UTC)


@dataclass(frozen=True)
class Outcome:
    # sent | would_send | skipped | failed | unconfirmed
    outcome: str
    kind: str
    period_key: str
    organization: str
    email: str | None
    reason: str = ""


@dataclass
class JobReport:
    kind: str
    at: datetime
    dry_run: bool
    period: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def _of(self, outcome: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    @property
    def sent(self) -> list[Outcome]:
        return self._of("sent")

    @property
    def would_send(self) -> list[Outcome]:
        return self._of("would_send")

    @property
    def skipped(self) -> list[Outcome]:
        return self._of("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self._of("failed")

    @property
    def unconfirmed(self) -> list[Outcome]:
        return self._of("unconfirmed")

    def summary(self) -> str:
        label = NotificationKind(self.kind).label
        period = f" for {self.period}" if self.period else ""
        if self.dry_run:
            head = f"{label}{period} (dry run): {len(self.would_send)} would be sent, {len(self.skipped)} skipped."
        else:
            head = (f"{label}{period}: {len(self.sent)} sent, {len(self.skipped)} skipped, {len(self.failed)} failed"
                    + (f", {len(self.unconfirmed)} unconfirmed" if self.unconfirmed else "") + ".")
        details = [f"  {o.outcome}: {o.email or o.organization} ({o.organization}, {o.period_key}): {o.reason}"
                   for o in self.outcomes if o.outcome in ("failed", "unconfirmed")]
        return "\n".join([head, *details])


# --- delivering one notice at most once -------------------------------------------------------------------------


def _insert_ignore(session: Session, values: dict) -> None:
    table = NotificationDelivery.__table__
    dialect = session.get_bind().dialect.name
    ins = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    session.execute(ins.values(**values).on_conflict_do_nothing(index_elements=["user_id", "kind", "period_key"]))


def _states(kind: NotificationKind, period_key: str, user_ids: list[int]) -> dict[int, tuple[str, int, str]]:
    if not user_ids:
        return {}
    with unit_of_work(write=False) as session:
        rows = session.exec(select(NotificationDelivery.user_id, NotificationDelivery.status,
                                   NotificationDelivery.attempts, NotificationDelivery.last_error)
                            .where(NotificationDelivery.kind == kind.value,
                                   NotificationDelivery.period_key == period_key,
                                   NotificationDelivery.user_id.in_(user_ids))).all()
    return {u: (s, a, e) for u, s, a, e in rows}


def _claim(recipient: Recipient, kind: NotificationKind, period_key: str, mail: mailer.Mail) -> bool:
    """Marks the notice ``sending`` unless a run sent it, is sending it or gave up on it; True: this run may send."""
    now = clock.now()
    key = (NotificationDelivery.user_id == recipient.id, NotificationDelivery.kind == kind.value,
           NotificationDelivery.period_key == period_key)
    with unit_of_work() as session:
        _insert_ignore(session, dict(user_id=recipient.id, organization_id=recipient.organization_id, kind=kind.value,
                                     period_key=period_key, status="pending", attempts=0, last_error="",
                                     to_address=recipient.email[:320], subject=mail.subject[:300], created_at=now))
        claimed = session.execute(
            update(NotificationDelivery)
            .where(*key, NotificationDelivery.status.in_(("pending", "failed")),
                   NotificationDelivery.attempts < rules.MAX_ATTEMPTS)
            .values(status="sending", attempts=NotificationDelivery.attempts + 1, last_attempt_at=now,
                    to_address=recipient.email[:320], subject=mail.subject[:300])
        ).rowcount
    return claimed == 1


def _finish(recipient: Recipient, kind: NotificationKind, period_key: str, *, message_id: str | None = None,
            error: str = "") -> None:
    key = (NotificationDelivery.user_id == recipient.id, NotificationDelivery.kind == kind.value,
           NotificationDelivery.period_key == period_key, NotificationDelivery.status == "sending")
    values = (dict(status="sent", sent_at=clock.now(), message_id=message_id, last_error="") if error == ""
              else dict(status="failed", last_error=error[:500]))
    with unit_of_work() as session:
        session.execute(update(NotificationDelivery).where(*key).values(**values))


def deliver(report: JobReport, kind: NotificationKind, period_key: str, organization: str,
            recipients: list[Recipient], compose: Callable[[Recipient], mailer.Mail],
            copy: Callable[[], mailer.Mail] | None = None) -> None:
    """Each recipient's notice at most once. ``copy`` (an organization's invoice address) goes out right after the
    first recipient's notice, in the run that sends that notice: it rides on that notice's claim, so it too is
    sent at most once, and never twice because a later recipient is retried."""
    states = _states(kind, period_key, [r.id for r in recipients])

    def outcome(what: str, r: Recipient, reason: str = "") -> None:
        report.outcomes.append(Outcome(what, kind.value, period_key, organization, r.email, reason))

    def send_copy() -> None:
        mail = copy()
        if report.dry_run:
            report.outcomes.append(Outcome("would_send", kind.value, period_key, organization, mail.to_address,
                                           "copy to the invoice address"))
            return
        try:
            mailer.send_mail(mail)
        except mailer.MailError as exc:
            log.warning("%s %s copy to %s failed: %s", kind.value, period_key, mail.to_address, exc)
            report.outcomes.append(Outcome("failed", kind.value, period_key, organization, mail.to_address,
                                           f"copy to the invoice address: {exc}; not retried (sent at most once)"))
            return
        report.outcomes.append(Outcome("sent", kind.value, period_key, organization, mail.to_address,
                                       "copy to the invoice address"))

    for r in recipients:
        status, attempts, last_error = states.get(r.id, ("", 0, ""))
        if status == "sent":
            outcome("skipped", r, "already sent")
            continue
        if status == "sending":
            outcome("unconfirmed", r, "an earlier run started sending and did not record the result; "
                                      "it may have been sent, so it is not sent again")
            continue
        if status == "failed" and attempts >= rules.MAX_ATTEMPTS:
            outcome("failed", r, f"gave up after {attempts} attempts: {last_error}")
            continue
        if report.dry_run:
            outcome("would_send", r, f"retry after: {last_error}" if status == "failed" else "")
            if copy is not None and r is recipients[0]:
                send_copy()
            continue
        mail = compose(r)
        if not _claim(r, kind, period_key, mail):
            outcome("skipped", r, "another run is sending or has sent it")
            continue
        try:
            message_id = mailer.send_mail(mail)
        except mailer.MailError as exc:
            _finish(r, kind, period_key, error=str(exc))
            log.warning("%s %s to %s failed: %s", kind.value, period_key, r.email, exc)
            outcome("failed", r, f"{exc}; it will be retried on the next run")
            continue
        _finish(r, kind, period_key, message_id=message_id)
        outcome("sent", r)
        if copy is not None and r is recipients[0]:
            send_copy()
