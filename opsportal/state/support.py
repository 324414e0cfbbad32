"""Contact support: the phone numbers of the customer's regions and whether each line is open now (until when,
or when it opens), in the reader's time zone. Also loaded on the new-ticket page (``SupportState.load``).

The page is live: a staff edit of the numbers or business hours, or a change of the organization's plan, reads the
lines again (change feed, ``support_phones.change_topics``); between reads, every half minute, the tick rewords
"Open now — until 18:00 GMT" from the lines' states captured at the read (``domain.phone_live``), asking nothing of
the database, so the words turn to "Closed — opens …" when the clock passes the closing time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from opsportal import clock, routes
from opsportal.domain import formats, phone_live
from opsportal.domain.phone_live import LiveLine
from opsportal.services import support_phones
from opsportal.services.authz import Actor
from opsportal.services.errors import ServiceError
from opsportal.services.support_phones import SupportContacts
from opsportal.state import live, offload
from opsportal.state.auth import actor_or_redirect

TICK_SECONDS = 30.0  # the words are right within half a minute of the minute they change


def contact_rows(view: SupportContacts) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The regions, and their numbers (each naming its region: Reflex renders flat lists best)."""
    regions, phones = [], []
    for r in view.regions:
        regions.append({"code": r.code, "name": r.name, "role": "Home region" if r.home else "Multi-Regional",
                        "hours": r.hours, "status": r.status, "open": "yes" if r.open else "",
                        "basis": r.basis, "has_phones": "yes" if r.phones else ""})
        phones += [{"region": r.code, "label": p.label, "number": formats.phone(p.number),
                    "href": formats.phone_href(p.number)} for p in r.phones]
    return regions, phones


def ticked(regions: list[dict[str, str]], lines: dict[str, LiveLine], time_zone: str,
           now: datetime) -> list[dict[str, str]]:
    """``regions`` with each line's status reworded for ``now`` (unchanged past its horizon)."""
    out = []
    for row in regions:
        line = lines.get(row["code"])
        said = phone_live.words(line, time_zone, now) if line is not None else None
        if said is not None:
            text, is_open, basis = said
            row = {**row, "status": text, "open": "yes" if is_open else "", "basis": basis}
        out.append(row)
    return out


def now_for_tick(_actor: Actor, _org_id: int) -> datetime:
    """The tick's read: only the coverage clock (the words are worked out from what the page holds)."""
    return clock.coverage_now()


def read_contacts(actor: Actor, org_id: int) -> SupportContacts:
    return support_phones.support_contacts(actor, org_id)


class SupportState(rx.State):
    loaded: bool = False
    error: str = ""
    organization: str = ""
    gold: bool = False
    message: str = ""
    may_buy: bool = False
    regions: list[dict[str, str]] = []
    phones: list[dict[str, str]] = []
    other_regions: str = ""
    time_zone: str = ""
    org_id: int = 0
    # The change-feed position the lines were read at, and which refresh loop is live.
    _cursor: int = 0
    _watch_id: str = ""
    _reader_zone: str = "UTC"
    # Each region's line states from the read on (domain.phone_live): the tick rewords ``regions`` from them.
    _lines: dict[str, Any] = {}

    def _apply(self, view: SupportContacts) -> None:
        self.organization, self.gold, self.message, self.may_buy = (view.organization, view.gold_active,
                                                                    view.message, view.may_buy)
        self.regions, self.phones = contact_rows(view)
        self._lines = {r.code: r.live for r in view.regions}
        self._reader_zone = view.time_zone
        self.other_regions = ", ".join(view.other_regions)
        self.time_zone = formats.zone_label(view.time_zone)

    def _apply_tick(self, now: datetime) -> None:
        worded = ticked(self.regions, self._lines, self._reader_zone, now)
        if worded != self.regions:
            self.regions = worded

    def _refresh_failed(self, message: str) -> None:
        self.error = message

    def _read_and_show(self, actor: Actor):
        try:
            self._apply(read_contacts(actor, actor.organization_id))
        except ServiceError as exc:
            self.error = str(exc)
            return None
        self.org_id = actor.organization_id
        self.loaded = True
        return SupportState.watch

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            if (self.router.url.path or "").rstrip("/") == routes.SUPPORT:
                return rx.redirect(routes.STAFF_SUPPORT)
            return None
        self.error = ""
        self._watch_id = ""  # a loop of a page shown before stops
        self._cursor = live.start_position()  # before reading: a change committed meanwhile wakes the page
        return await offload.run(self._read_and_show, actor)

    @rx.event(background=True)
    async def watch(self):
        """Numbers and hours follow staff edits within seconds; the open/closed words follow the clock."""
        async for event in live.follow(self, key="org_id", topics=_topics, read=read_contacts,
                                       tick=live.Tick(TICK_SECONDS, now_for_tick)):
            yield event


def _topics(actor: Actor, org_id: int) -> list[str]:
    return support_phones.change_topics(actor, org_id)
