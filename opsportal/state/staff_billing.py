"""Staff billing: the monthly billing run, every organization's invoices, pre-service invoices and the payments
Stripe confirmed that could not be applied. Every handler asks who is calling again; the services decide."""

from __future__ import annotations

import asyncio

import reflex as rx

from opsportal import clock, routes
from opsportal.domain import formats
from opsportal.domain import jobs as job_rules
from opsportal.domain.invoices import period_before
from opsportal.domain.roles import Role
from opsportal.services import (
    billing_run,
    invoice_staff,
    invoice_views,
    jobs,
    organizations,
    payment_history,
)
from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.invoice_form import org_terms, read_line
from opsportal.state.paging import PagedState

PAGE_SIZE = 20
ORG_OPTIONS = 50
NEW_LINES = 5
STATUSES = [("all", "All statuses"), ("draft", "Draft"), ("pending", "Pending"), ("overdue", "Overdue"),
            ("paid", "Paid"), ("void", "Void")]
STATUS_COLORS = {"draft": "gray", "pending": "blue", "overdue": "red", "paid": "green", "void": "gray"}
ADMIN_ONLY_RUN = "Only staff administrators can run billing; ask one to bill the month."
ADMIN_ONLY_ATTENTION = "Only staff administrators see payments that need attention."
# A run in this tab shows its progress at most this often; a run followed from the job row is read this often.
WATCH_SECONDS = 1.0


def invoice_row(r: invoice_views.InvoiceRow) -> dict[str, str]:
    return {
        "id": str(r.id), "number": r.number, "organization": r.organization, "kind": r.kind_label,
        "period": formats.period(r.period), "issued": formats.day(r.issue_date), "due": formats.day(r.due_date),
        "total": r.total,
        "outstanding": r.outstanding if r.outstanding_minor else "—", "status": r.status.value,
        "status_label": r.status.label, "color": STATUS_COLORS.get(r.status.value, "gray"),
        "href": routes.staff_invoice(r.id),
    }


def job_started_text(view: jobs.JobView, time_zone: str | None = None) -> str:
    """``Started by Sam Taylor at 10:02 GMT.`` (the day too when the run began on another of the reader's days)."""
    when = job_rules.when_text(view.started_at, clock.now(), time_zone)
    return f"Started by {view.started_by or 'someone'} at {when}."


class StaffBillingState(PagedState, rx.State):
    allowed: bool = False
    denied: str = ""
    is_admin: bool = False
    notice: str = ""
    notice_href: str = ""
    notice_link: str = ""
    # the billing run
    run_period: str = ""
    run_max: str = ""
    run_summary: str = ""
    run_error: str = ""
    # the run in progress (this tab's, or anyone's: the job row says)
    run_active: bool = False
    run_mine: bool = False  # started from this tab: its Run button waits; following another's run it does not
    run_progress: str = ""
    run_started: str = ""
    run_done: int = 0
    run_total: int = 0
    run_percent: int = 0
    _job_id: int = 0
    _zone: str = formats.DEFAULT_TIME_ZONE  # the signed-in staff member's, for the run's progress line
    _watch_id: str = ""
    # every organization's invoices
    status: str = "all"
    statuses: list[dict[str, str]] = [{"value": v, "label": label} for v, label in STATUSES]
    search: str = ""
    list_error: str = ""
    rows: list[dict[str, str]] = []
    total: int = 0
    total_label: str = ""
    outstanding: str = ""
    overdue: str = ""
    # payments needing attention
    attention: list[dict[str, str]] = []
    # the new pre-service invoice dialog
    new_open: bool = False
    new_form_key: int = 0
    org_query: str = ""
    org_options: list[dict[str, str]] = []
    new_org: str = ""
    new_org_terms: str = ""
    new_issue: str = "issue"
    new_problems: dict[str, str] = {}
    new_error: str = ""

    async def _actor(self) -> tuple[Actor | None, object]:
        actor, redirect = await actor_or_redirect(self)
        if actor is not None:
            self.is_admin = actor.role is Role.staff_admin
            self._zone = actor.time_zone
        return actor, redirect

    async def _load_page(self, page: int):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        try:
            listing = invoice_views.list_invoices(actor, None, status=self.status, search=self.search, page=page,
                                                  page_size=PAGE_SIZE)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        except ServiceError as exc:
            self.list_error = str(exc)
            return
        self.allowed, self.denied, self.list_error = True, "", ""
        self.page, self.pages, self.total = listing.page.page, listing.page.pages, listing.page.total
        self.total_label = f"{formats.count(listing.page.total)} invoice" + ("" if listing.page.total == 1 else "s")
        self.outstanding = listing.outstanding.text()
        self.overdue = (f"{listing.overdue.text()} in {formats.count(listing.overdue_count)} invoice"
                        + ("" if listing.overdue_count == 1 else "s")) if listing.overdue_count else "none"
        self.rows = [invoice_row(r) for r in listing.page.items]

    def _attention(self, actor: Actor) -> None:
        if actor.role is not Role.staff_admin:
            self.attention = []
            return
        self.attention = [
            {"id": str(p.id), "description": p.description, "amount": p.amount, "status": formats.label(p.status),
             "when": formats.instant(p.completed_at or p.created_at, actor.time_zone), "problem": p.last_error,
             "invoice_href": routes.staff_invoice(p.invoice_id) if p.invoice_id else ""}
            for p in payment_history.payments_needing_attention(actor)
        ]

    def _orgs(self, actor: Actor) -> None:
        listing = organizations.list_organizations(actor, search=self.org_query, page_size=ORG_OPTIONS)
        options = [{"id": str(o.id), "name": o.name} for o in listing.items]
        chosen = next((o for o in self.org_options if o["id"] == self.new_org), None)
        if chosen and chosen not in options:
            options.insert(0, chosen)  # the chosen organization stays selectable while searching for another
        self.org_options = options

    def _first_view(self, actor: Actor) -> jobs.JobView | None:
        """The page as it opens: the first page of invoices, what needs attention, and a billing run in progress."""
        self._list(actor, 1)
        if not self.allowed:
            return None
        try:
            self._attention(actor)
        except ServiceError:
            self.attention = []
        try:
            return jobs.latest(actor, job_rules.BILLING)
        except ServiceError:
            return None

    # --- the billing run: a background job with progress -------------------------------------------------

    def _show_progress(self, kind: str, key: str, done: int, total: int) -> None:
        shown = {"run_done": done, "run_total": total, "run_percent": job_rules.percent_done(done, total),
                 "run_progress": job_rules.progress_text(kind, key, done, total)}
        for name, value in shown.items():
            if getattr(self, name) != value:  # an unchanged var stays out of the update
                setattr(self, name, value)

    def _show_job(self, view: jobs.JobView) -> None:
        self._job_id = view.id
        self.run_active = view.running
        self.run_started = job_started_text(view, self._zone)
        self._show_progress(view.kind, view.key, view.done, view.total)

    def _show_finished(self, view: jobs.JobView) -> None:
        self.run_active = self.run_mine = False
        if view.status == job_rules.SUCCEEDED:
            self.run_summary, self.run_error = view.summary, ""
        elif view.stale:
            self.run_error = (f"The {job_rules.subject(view.kind, view.key)} stopped answering; it is considered "
                              "dead. Run the month again: what it billed stays billed.")
        else:
            self.run_error = view.summary

    @rx.event
    async def load(self):
        self.notice = self.notice_href = self.run_summary = self.run_error = self.list_error = ""
        self.new_open = self.run_active = self.run_mine = False
        self.status, self.search = "all", ""
        last = period_before(clock.now().date()).key
        self.run_period = self.run_max = last
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        running = await offload.run(self._first_view, actor)
        if running is not None and running.running:
            self._show_job(running)
            return StaffBillingState.watch_job

    @rx.event
    async def set_status(self, value: str):
        self.status = value if value in dict(STATUSES) else "all"
        return await self._load_page(1)

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:60]
        return await self._load_page(1)

    @rx.event
    async def run_billing(self, form: dict):
        """Claims the month's billing job and starts it in a process of its own; the page then follows the job row.

        The run does not hold this worker's interpreter while it bills, and closing the tab does not stop it: the
        job row records its progress and its end either way (``billing_run.launch_billing_run``).
        """
        self.run_summary = self.run_error = self.notice = ""
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        period = str(form.get("period", "")).strip()
        self.run_period = period or self.run_period
        if not self.is_admin:
            self.run_error = ADMIN_ONLY_RUN
            return
        if not period:
            self.run_error = "Choose the month to bill."
            return
        try:
            job = await offload.run(billing_run.launch_billing_run, actor, period)
        except jobs.AlreadyRunning as exc:
            self.run_error = str(exc)
            self._job_id = exc.job_id
            self.run_active, self.run_mine = True, False
            return StaffBillingState.watch_job  # follow the run that is going on
        except ServiceError as exc:
            self.run_error = str(exc)
            return
        self._show_job(job)
        self.run_mine = True
        return StaffBillingState.watch_job

    @rx.event(background=True)
    async def watch_job(self):
        """Follows a billing run until it ends, from its job row: this page's, or one started elsewhere (another
        tab, staff member, worker or the CLI)."""
        async with self:
            lease = live.claim(self)
            job_id = self._job_id
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            async with self:
                if not live.holds(self, lease):
                    return
                actor, _redirect = await actor_or_redirect(self)
            if actor is None:
                return
            try:
                view = await offload.run(jobs.get, actor, job_id)
            except ServiceError:
                return
            async with self:
                if not live.holds(self, lease):
                    return
                self._show_job(view)
                if view.running:
                    continue
                mine = self.run_mine
                self._show_finished(view)
                if view.status == job_rules.SUCCEEDED:
                    if mine:  # show what this page's run billed
                        self.status, self.search = "all", ""
                    await offload.run(self._list, actor, 1 if mine else self.page)
                return

    # --- the new pre-service invoice ---------------------------------------------------------------------

    @rx.event
    async def open_new(self):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.new_problems, self.new_error, self.org_query, self.new_org, self.new_org_terms = {}, "", "", "", ""
        self.new_issue, self.notice = "issue", ""
        self.new_form_key += 1
        try:
            await offload.run(self._orgs, actor)
        except ServiceError as exc:
            self.new_error = str(exc)
        self.new_open = True

    @rx.event
    def set_new_open(self, value: bool):
        self.new_open = bool(value)

    @rx.event
    async def set_org_query(self, value: str):
        self.org_query = value[:100]
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        try:
            await offload.run(self._orgs, actor)
        except ServiceError as exc:
            self.new_error = str(exc)

    @rx.event
    async def set_new_org(self, value: str):
        self.new_org = value if value.isdigit() else ""
        self.new_org_terms = ""
        self.new_problems = {k: v for k, v in self.new_problems.items() if k != "org"}
        if not self.new_org:
            return
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        try:
            currency, terms = await offload.run(org_terms, actor, int(self.new_org))
        except ServiceError as exc:
            self.new_error = str(exc)
            return
        self.new_org_terms = (f"Billed in {currency}, tax {terms.tax_rate}, due {terms.payment_terms_days} days "
                              "after issue.")

    @rx.event
    def set_new_issue(self, value: str):
        self.new_issue = "draft" if value == "draft" else "issue"

    @rx.event
    async def create_invoice(self, form: dict):
        self.new_error = self.run_summary = self.run_error = ""
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        problems: dict[str, str] = {}
        if not self.new_org:
            problems["org"] = "Choose the organization to bill."
        memo = " ".join(str(form.get("memo", "")).split())
        if len(memo) > 500:
            problems["memo"] = "Use at most 500 characters."
        items = []
        for n in range(1, NEW_LINES + 1):
            item, line_problems = read_line(n, form)
            problems.update(line_problems)
            if item is not None:
                items.append(item)
        if not items and not any(k.startswith(("desc_", "qty_", "price_")) for k in problems):
            problems["lines"] = "Fill in at least one line: description, quantity and unit price."
        self.new_problems = problems
        if problems:
            return
        try:
            row = await offload.run(invoice_staff.create_pre_service_invoice, actor, int(self.new_org), items,
                                    memo=memo,
                                    issue=self.new_issue == "issue")
        except ServiceError as exc:
            self.new_error = str(exc)
            return
        self.new_open = False
        what = "Draft saved" if self.new_issue == "draft" else f"Invoice {row.number} issued"
        self.notice = f"{what} for {row.organization}: {formats.money(row.total_minor, row.currency)}."
        self.notice_href, self.notice_link = routes.staff_invoice(row.id), "Open the invoice"
        self.status, self.search = "all", ""
        await offload.run(self._list, actor, 1)
