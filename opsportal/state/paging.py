"""Paging shared by the list pages: state holds one page of rows, never the whole table."""

from __future__ import annotations

import reflex as rx

from opsportal.services.authz import Actor
from opsportal.services.errors import PermissionDenied, ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect


class PagedState(rx.State, mixin=True):
    """Subclasses load a page with ``_load_page(page)``; the pager's buttons call these handlers."""

    page: int = 1
    pages: int = 1

    async def _load_page(self, page: int):
        raise NotImplementedError

    @rx.event
    async def next_page(self):
        if self.page < self.pages:
            return await self._load_page(self.page + 1)

    @rx.event
    async def previous_page(self):
        if self.page > 1:
            return await self._load_page(self.page - 1)


class StaffListMixin(PagedState, mixin=True):
    """A staff list page: ``_read(actor, page)`` reads one page from a service that refuses non-staff, ``_row`` turns
    an item into what the table shows. A refusal says why instead of the table; another failure keeps the rows."""

    allowed: bool = False
    denied: str = ""
    error: str = ""
    rows: list[dict[str, str]] = []
    total: int = 0

    def _read(self, actor: Actor, page: int):
        raise NotImplementedError

    def _row(self, item, time_zone: str) -> dict[str, str]:
        raise NotImplementedError

    async def _load_page(self, page: int):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        return await offload.run(self._list, actor, page)

    def _list(self, actor: Actor, page: int) -> None:
        try:
            listing = self._read(actor, page)
        except PermissionDenied as exc:
            self.allowed, self.denied, self.rows = False, str(exc), []
            return
        except ServiceError as exc:
            self.error = str(exc)
            return
        self.allowed, self.denied, self.error = True, "", ""
        self.page, self.pages, self.total = listing.page, listing.pages, listing.total
        self.rows = [self._row(item, actor.time_zone) for item in listing.items]

    @rx.event
    async def load(self):
        return await self._load_page(1)

    @rx.event
    async def refresh(self):
        return await self._load_page(self.page)
