"""Hours & Credits: summary, expiry schedule, lots with allocation, in play / used drill-downs, history."""

from __future__ import annotations

from datetime import date

import reflex as rx

from opsportal import clock
from opsportal.domain import formats
from opsportal.domain.ledger.lots import last_usable_day
from opsportal.domain.ledger.quantities import parse_quantity
from opsportal.services import authz, credit_history, credit_views, credits, organizations
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError, sentence
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.shared import org_read

LOT_PAGE = 10
HISTORY_PAGE = 15
BUCKET_LABELS = {"0-30": "0–30 days", "31-60": "31–60 days", "61-90": "61–90 days", "91-120": "91–120 days",
                 "later": "Later", "none": "No expiry"}


def _expiry_label(expires_at, now) -> str:
    if expires_at is None:
        return "No expiry"
    label = formats.day(last_usable_day(expires_at))
    return f"{label} (expired)" if expires_at <= now else label


def _usage_period(lot: credits.LotPublic, time_zone: str) -> str:
    """The lot's service usage period, "—" when its product shows none (Kaizen Platform Jumpstart)."""
    period = lot.usage_period
    if period is None:
        return "—"
    starts = formats.day(period.starts, time_zone=time_zone)
    return f"{starts} – {formats.day(period.last_day)}" if period.last_day else f"From {starts}, no end"


def _offers(lot: credits.LotPublic) -> str:
    """The offers (tokens) the lot's free credits carry, "—" for products that carry none."""
    if lot.offers_free is None:
        return "—"
    return f"{formats.count(lot.offers_free)} tokens ({formats.count(lot.tokens_per_credit)} a credit)"


def _lot_note(lot: credits.LotPublic) -> str:
    """Why a lot has no Allocate button, when there is a reason worth saying."""
    if not lot.allocatable:
        return "Shared with all organizations: no allocation needed"
    return "Held for a pay-per-incident window" if lot.held_for_window else ""


def _month(code: str) -> str:
    """``2026-11`` (a UTC month of the ledger) -> ``November 2026``."""
    year, month = code.split("-")
    return formats.month(date(int(year), int(month), 1))


def _typed(quantity: int, unit: str) -> str:
    """A quantity as a person would type it into the quantity field: ``200``, ``7:30``, ``45m``."""
    if unit != "minute":
        return str(quantity)
    hours, minutes = divmod(quantity, 60)
    if not hours:
        return f"{minutes}m"
    return f"{hours}:{minutes:02d}" if minutes else str(hours)


def _allocated(done: credits.Allocation, unit: str) -> str:
    """The confirmation shown in the dialog, under the action it answers."""
    quantity, target = formats.quantity(done.quantity, unit), done.lot.allocated_to
    if not done.split:
        return f"Lot {done.source_id} ({quantity}) is now allocated to {target}."
    return f"{quantity} of lot {done.source_id} now allocated to {target}, as lot {done.lot.id}."


class CreditsState(rx.State):
    org_id: int = 0
    org_name: str = ""
    product: str = "support_hours"
    unit: str = "minute"
    products: list[dict[str, str]] = []
    cards: list[dict[str, str]] = []
    schedule: list[dict[str, str]] = []
    lots: list[dict[str, str]] = []
    lot_page: int = 1
    lot_pages: int = 1
    can_allocate: bool = False
    in_play: list[dict[str, str]] = []
    used: list[dict[str, str]] = []
    expired: list[dict[str, str]] = []
    drill_title: str = ""
    drill_rows: list[dict[str, str]] = []
    snapshot: dict[str, str] = {}
    history: list[dict[str, str]] = []
    history_page: int = 1
    history_pages: int = 1
    csv_url: str = ""
    # The Allocate dialog: the lot, where to, how much; its messages (shown in the dialog, next to the action).
    allocate_lot_id: int = 0
    allocate_lot: dict[str, str] = {}
    allocate_targets: list[dict[str, str]] = []
    allocate_choice: str = "all"
    allocate_quantity: str = ""
    allocate_problems: dict[str, str] = {}
    allocate_error: str = ""
    allocate_done: str = ""
    allocate_open: bool = False
    error: str = ""

    def _fmt(self, quantity: int) -> str:
        return formats.quantity(quantity, self.unit)

    def _requested_org(self, actor: Actor) -> int:
        raw = self.router.url.query_parameters.get("org", "")
        if actor.is_staff and raw.isdigit():
            return int(raw)
        return actor.organization_id or 0

    async def _actor(self):
        actor, redirect = await actor_or_redirect(self)
        return actor, redirect

    def _refresh(self, actor: Actor) -> None:
        org_id = self.org_id
        summary = credit_views.summary(actor, org_id)
        self.products = [{"code": s.product, "name": s.name} for s in summary]
        current = next((s for s in summary if s.product == self.product), summary[0])
        self.product, self.unit = current.product, current.unit
        fmt = self._fmt
        self.cards = [
            {"label": "Available now", "value": fmt(current.available), "id": "card-available"},
            {"label": "In play on open tickets", "value": fmt(current.in_play), "id": "card-in-play"},
            {"label": "Used in the last 30 days", "value": fmt(current.used_30d), "id": "card-used"},
            {"label": "Expiring in the next 30 days", "value": fmt(current.expiring_30d), "id": "card-expiring"},
        ]
        self.org_name, buckets = credit_views.schedule(actor, org_id, product=self.product)
        biggest = max(buckets.values()) or 1
        self.schedule = [
            {"label": BUCKET_LABELS[k], "value": fmt(v), "width": f"{max(v * 100 // biggest, 1 if v else 0)}%"}
            for k, v in buckets.items()
        ]
        self.in_play = [{"category": c.category, "value": fmt(c.quantity), "tickets": formats.count(c.tickets)}
                        for c in credit_views.in_play_by_category(actor, org_id, product=self.product)]
        self.used = [{"category": c.category, "value": fmt(c.quantity), "tickets": formats.count(c.tickets)}
                     for c in credit_views.used_by_category(actor, org_id, product=self.product)]
        expired = credit_views.expired_by_month(actor, org_id, product=self.product)
        top = max((q for _m, q in expired), default=0) or 1
        self.expired = [{"month": _month(m), "value": fmt(q), "width": f"{max(q * 100 // top, 1)}%"}
                        for m, q in expired]
        self.can_allocate = authz.may_manage(actor, org_id)
        self.csv_url = f"/api/credits/history.csv?org={org_id}&product={self.product}"
        self._load_lots(actor, self.lot_page)
        self._load_history(actor, self.history_page)

    def _load_lots(self, actor: Actor, page: int) -> None:
        now = clock.now()
        listing = org_read(actor, self.org_id, credit_views.credit_list, page=page, page_size=LOT_PAGE)
        self.lot_page, self.lot_pages = listing.page, listing.pages
        self.lots = [
            {"id": str(lot.id), "product": lot.product_name, "kind": formats.label(lot.kind),
             "holder": lot.credit_holder, "allocated_to": lot.allocated_to,
             "usage": _usage_period(lot, actor.time_zone), "offers": _offers(lot),
             "shows_usage": "yes" if lot.usage_period else "",
             "target": "all" if lot.serves_org_id is None else str(lot.serves_org_id),
             "granted": formats.day(lot.granted_at, time_zone=actor.time_zone),
             "expires": _expiry_label(lot.expires_at, now) if lot.usage_period else "—",
             "expiry_phrase": ("usage period " + _usage_period(lot, actor.time_zone) if lot.usage_period
                               else "no usage period shown"),
             "free": formats.quantity(lot.free, lot.unit), "held": formats.quantity(lot.held, lot.unit),
             "free_typed": _typed(lot.free, lot.unit), "unit": lot.unit,
             "window": _lot_note(lot),
             "movable": "yes" if self.can_allocate and lot.holder_id == self.org_id and lot.free > 0
             and lot.allocatable and not lot.held_for_window else ""}
            for lot in listing.items
        ]

    def _load_history(self, actor: Actor, page: int) -> None:
        listing = org_read(actor, self.org_id, credit_history.history, page=page, page_size=HISTORY_PAGE,
                           product=self.product)
        self.history_page, self.history_pages = listing.page, listing.pages
        self.history = [
            {"when": formats.instant(e.at, actor.time_zone), "kind": formats.label(e.kind),
             "quantity": self._fmt(e.quantity),
             "lot": str(e.lot_id), "holder": e.holder, "organization": e.organization,
             "ticket": f"#{e.ticket_id}" if e.ticket_id else "", "category": e.category or "", "reason": e.reason}
            for e in listing.items
        ]

    async def _run(self, work, *, error_var: str = "error"):
        """Re-authenticate, then run ``work(actor)`` in a worker thread; a service error becomes the message in
        ``error_var`` (the page's, or a dialog's own)."""
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        try:
            await offload.run(work, actor)
        except ServiceError as exc:
            setattr(self, error_var, str(exc))

    @rx.event
    async def load(self):
        self.error = ""
        self.allocate_open = False
        self.drill_title, self.drill_rows, self.snapshot = "", [], {}
        self.lot_page = self.history_page = 1

        wanted = self.router.url.query_parameters.get("product", "")
        if wanted:  # e.g. ?product=service_credits from the services catalog (unknown codes fall back)
            self.product = str(wanted)[:40]

        def work(actor):
            self.org_id = self._requested_org(actor)
            self._refresh(actor)

        return await self._run(work)

    @rx.event
    async def choose_product(self, code: str):
        self.product = code[:40]
        self.lot_page = self.history_page = 1
        self.drill_title, self.drill_rows, self.snapshot = "", [], {}
        return await self._run(self._refresh)

    @rx.event
    async def show_in_play(self, category: str):
        def work(actor):
            rows = org_read(actor, self.org_id, credit_views.in_play_tickets, product=self.product, category=category)
            self.drill_title = f"In play: {category}"
            self.drill_rows = [{"id": str(t.ticket_id), "title": t.title, "status": formats.label(t.status),
                                "value": self._fmt(t.quantity)} for t in rows]
            self.snapshot = {}
        return await self._run(work)

    @rx.event
    async def show_used(self, category: str):
        def work(actor):
            rows = org_read(actor, self.org_id, credit_views.used_tickets, product=self.product, category=category)
            self.drill_title = f"Used: {category}"
            self.drill_rows = [{"id": str(t.ticket_id), "title": t.title, "status": formats.label(t.status),
                                "value": self._fmt(t.quantity)} for t in rows]
            self.snapshot = {}
        return await self._run(work)

    @rx.event
    async def show_ticket(self, ticket_id: str):
        def work(actor):
            snap = credit_views.ticket_snapshot(actor, int(ticket_id))
            self.snapshot = {
                "id": str(snap.id), "title": snap.title, "category": snap.category,
                "status": formats.label(snap.status), "opened": formats.instant(snap.created_at, actor.time_zone),
                "held": self._fmt(snap.held.get(self.product, 0)), "used": self._fmt(snap.used.get(self.product, 0)),
            }
        if not str(ticket_id).isdigit():
            return
        return await self._run(work)

    @rx.event
    async def close_snapshot(self):
        self.snapshot = {}

    @rx.event
    async def lots_page(self, delta: int):
        return await self._run(lambda actor: self._load_lots(actor, self.lot_page + int(delta)))

    @rx.event
    async def history_page_by(self, delta: int):
        return await self._run(lambda actor: self._load_history(actor, self.history_page + int(delta)))

    @rx.event
    async def open_allocate(self, lot_id: str):
        lot = next((row for row in self.lots if row["id"] == str(lot_id)), None)
        if lot is None or lot["movable"] != "yes":
            return

        def work(actor):
            targets = organizations.allocation_targets(actor, self.org_id)
            self.allocate_targets = [{"id": str(i), "name": n} for i, n in targets]
            self.allocate_lot_id, self.allocate_lot = int(lot["id"]), lot
            # The dialog starts from where the lot is allocated now.
            self.allocate_choice = lot["target"]
            self.allocate_quantity = lot["free_typed"]
            self.allocate_problems, self.allocate_error, self.allocate_done = {}, "", ""
            self.allocate_open = True
        return await self._run(work)

    @rx.event
    async def set_allocate_open(self, value: bool):
        self.allocate_open = bool(value)
        if not self.allocate_open:
            self.allocate_done = ""

    @rx.event
    async def set_allocate_choice(self, value: str):
        self.allocate_choice = value
        self.allocate_error = ""

    @rx.event
    async def set_allocate_quantity(self, value: str):
        self.allocate_quantity = value[:20]
        # A message about the quantity goes as soon as the field changes: it answered the old value.
        self.allocate_problems, self.allocate_error = {}, ""

    @rx.event
    async def confirm_allocate(self):
        self.allocate_problems, self.allocate_error, self.allocate_done = {}, "", ""
        if self.allocate_choice != "all" and not self.allocate_choice.isdigit():
            self.allocate_error = "Choose where to allocate the lot."
            return
        unit = self.allocate_lot.get("unit", "credit")
        try:
            quantity = parse_quantity(self.allocate_quantity, unit)
        except ValueError as exc:
            self.allocate_problems = {"quantity": sentence(str(exc))}
            return
        target = None if self.allocate_choice == "all" else int(self.allocate_choice)

        def work(actor):
            done = credits.allocate_part(actor, lot_id=self.allocate_lot_id, to_org_id=target, quantity=quantity)
            self.allocate_done = _allocated(done, unit)
            self._refresh(actor)
            # The dialog's summary of the lot now tells what is left of it.
            self.allocate_lot = next((row for row in self.lots if row["id"] == str(done.source_id)),
                                     self.allocate_lot)

        return await self._run(work, error_var="allocate_error")
