"""Time sign-off: the customer's billing contacts review a month's time before it is billed.

Every time entry has a review state. It starts ``pending``; the customer approves it or disputes it with a reason
until the sign-off deadline (the period's last day plus ``signoff_days``); silence until then approves it
(``auto_approved``). Staff answer a dispute by keeping the entry (``resolved_kept``), correcting it
(``resolved_corrected``, through the time correction's audit trail) or writing it off (``written_off``: nothing is
billed and prepaid minutes go back to their lots). Pay-as-you-go time is billed only once its entry is billable.

A pending entry whose deadline has passed *is* auto-approved, whether or not the job has stored that yet
(``effective_state``): the billing run never depends on the job having run.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from opsportal.domain import formats
from opsportal.domain.invoices.periods import BillingPeriod
from opsportal.domain.roles import BILLING_ROLES, Role

REASON_MAX = 500
WRITTEN_OFF_LABEL = "Written off"
ANSWER_MAX = 1000
DEFAULT_SIGNOFF_DAYS = 5


class ReviewState(StrEnum):
    pending = "pending"
    approved = "approved"
    auto_approved = "auto_approved"
    disputed = "disputed"
    resolved_kept = "resolved_kept"
    resolved_corrected = "resolved_corrected"
    written_off = "written_off"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def billable(self) -> bool:
        """Whether the entry's pay-as-you-go time may be billed (a written-off entry bills nothing)."""
        return self in BILLABLE

    @property
    def resolved(self) -> bool:
        return self in RESOLVED


class Resolution(StrEnum):
    kept = "kept"
    corrected = "corrected"
    written_off = "written_off"

    @property
    def state(self) -> ReviewState:
        return {Resolution.kept: ReviewState.resolved_kept, Resolution.corrected: ReviewState.resolved_corrected,
                Resolution.written_off: ReviewState.written_off}[self]


_LABELS = {
    ReviewState.pending: "Awaiting review",
    ReviewState.approved: "Approved",
    ReviewState.auto_approved: "Approved automatically",
    ReviewState.disputed: "Disputed",
    ReviewState.resolved_kept: "Dispute answered: kept",
    ReviewState.resolved_corrected: "Dispute answered: corrected",
    ReviewState.written_off: "Written off",
}
BILLABLE = frozenset({ReviewState.approved, ReviewState.auto_approved, ReviewState.resolved_kept,
                      ReviewState.resolved_corrected})
RESOLVED = frozenset({ReviewState.resolved_kept, ReviewState.resolved_corrected, ReviewState.written_off})


def counted_split(prepaid_minutes: int, payg_minutes: int, written_off: bool) -> tuple[int, int]:
    """The (prepaid, pay-as-you-go) minutes an entry counts for in totals and lists: a written-off entry keeps its
    minutes but counts for neither (it drew nothing and is never billed)."""
    return (0, 0) if written_off else (prepaid_minutes, payg_minutes)


def paid_by(prepaid_minutes: int, payg_minutes: int, written_off: bool = False) -> str:
    """What paid for an entry, as lists say it."""
    if written_off:
        return WRITTEN_OFF_LABEL
    if prepaid_minutes and payg_minutes:
        return "Prepaid hours + pay-as-you-go"
    return "Prepaid hours" if prepaid_minutes else "Pay-as-you-go"


def period_of(work_date: date) -> BillingPeriod:
    return BillingPeriod(work_date.year, work_date.month)


def deadline(period: BillingPeriod, days: int) -> date:
    """The last day the customer may approve or dispute the period's time."""
    return period.last_day + timedelta(days=days)


def review_deadline(work_date: date, days: int, reopened_on: date | None = None) -> date:
    """The last day the customer may approve or dispute one entry: its period's deadline, or, for an entry a staff
    correction returned to review, ``days`` days after that correction when that is later."""
    end = deadline(period_of(work_date), days)
    if reopened_on is not None:
        end = max(end, reopened_on + timedelta(days=days))
    return end


def deadline_passed(work_date: date, today: date, days: int, reopened_on: date | None = None) -> bool:
    return today > review_deadline(work_date, days, reopened_on)


def effective_state(stored: ReviewState | str | None, work_date: date, today: date, days: int, *,
                    reopened_on: date | None = None) -> ReviewState:
    """The state as of ``today``: a pending entry past its deadline is approved automatically."""
    state = ReviewState(stored) if stored else ReviewState.pending
    if state is ReviewState.pending and deadline_passed(work_date, today, days, reopened_on):
        return ReviewState.auto_approved
    return state


def reopens_on_correction(state: ReviewState, *, billed: bool) -> bool:
    """Whether a staff correction outside a dispute returns the entry to "awaiting review": an unbilled entry the
    customer approved (or that was approved automatically, or whose dispute was answered) was approved as it was,
    not as corrected. A billed entry cannot be corrected at all; a disputed one waits for its answer."""
    return state.billable and not billed


def auto_approval_cutoff(today: date, days: int) -> date | None:
    """The latest work date whose deadline has passed by ``today`` (entries up to it are auto-approved);
    None before any (not reachable for real dates, kept for the type)."""
    period = BillingPeriod(today.year, today.month)
    for _ in range(1 + days // 28 + 2):
        if deadline(period, days) < today:
            return period.last_day
        first = period.first_day - timedelta(days=1)
        period = BillingPeriod(first.year, first.month)
    return None  # pragma: no cover - a deadline months away is refused by the settings' bound


def clean_text(text: str | None) -> str:
    return " ".join((text or "").split())


def reason_problem(reason: str) -> str | None:
    if not reason:
        return "Say what is wrong with the entry: the support team reads the reason."
    if len(reason) > REASON_MAX:
        return f"Keep the reason under {REASON_MAX} characters."
    return None


def answer_problem(answer: str) -> str | None:
    if not answer:
        return "Write the answer the customer will read."
    if len(answer) > ANSWER_MAX:
        return f"Keep the answer under {ANSWER_MAX} characters."
    return None


def review_problem(state: ReviewState, work_date: date, today: date, days: int, *, billed: bool,
                   disputing: bool, reopened_on: date | None = None) -> str | None:
    """Why the customer may not approve (or, ``disputing``, dispute) an entry now; None if they may.

    Either is possible until the deadline, on an unbilled entry nobody has disputed yet; an approval can still be
    turned into a dispute before the deadline.
    """
    if billed:
        return "This entry is already billed."
    if state is ReviewState.disputed:
        return "This entry is already disputed: the support team will answer."
    if state.resolved:
        return "This entry's dispute was answered; it can no longer be disputed."
    if state is ReviewState.auto_approved or deadline_passed(work_date, today, days, reopened_on):
        return (f"The sign-off for {period_of(work_date).label} closed on "
                f"{formats.day(review_deadline(work_date, days, reopened_on))}.")
    if state is ReviewState.approved and not disputing:
        return "This entry is already approved."
    return None


def resolve_problem(state: ReviewState) -> str | None:
    if state is ReviewState.disputed:
        return None
    if state.resolved:
        return "This dispute is already resolved."
    return "This entry is not disputed."


def may_sign_off(role: Role) -> bool:
    """Billing contacts sign off time, and so do owners and administrators (who see the invoices too)."""
    return role in BILLING_ROLES


def default_period(today: date, days: int) -> BillingPeriod:
    """The month the sign-off page opens on: last month while its sign-off is open, else this month."""
    last = BillingPeriod(today.year, today.month).first_day - timedelta(days=1)
    previous = BillingPeriod(last.year, last.month)
    return previous if today <= deadline(previous, days) else BillingPeriod(today.year, today.month)


def recent_periods(today: date, count: int = 12) -> list[BillingPeriod]:
    """This month and the ``count - 1`` before it, newest first (the page's month picker)."""
    out, period = [], BillingPeriod(today.year, today.month)
    for _ in range(count):
        out.append(period)
        last = period.first_day - timedelta(days=1)
        period = BillingPeriod(last.year, last.month)
    return out
