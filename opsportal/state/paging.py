"""Paging shared by the list pages: state holds one page of rows, never the whole table."""

from __future__ import annotations

import reflex as rx


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
