"""The support terms page: public (customers read them before and after signing in); ``?version=N`` shows an
earlier version, with a link to the current one."""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.services import support_terms
from opsportal.services.errors import ServiceError
from opsportal.state import offload


class TermsState(rx.State):
    loaded: bool = False
    error: str = ""
    version: int = 0
    title: str = ""
    body: str = ""
    summary: str = ""
    published: str = ""
    current: bool = True

    @rx.event
    async def load(self):
        self.loaded, self.error = False, ""
        raw = self.router.url.query_parameters.get("version", "")
        wanted = int(raw) if raw.isdigit() and len(raw) < 9 else None
        if raw and wanted is None:
            self.error = "That version of the support terms was not found."
            return
        try:
            view = await offload.run(support_terms.read_terms, wanted)
        except ServiceError as exc:
            self.error = str(exc)
            return
        if view is None:
            self.error = "The support terms are not published yet."
            return
        self.version, self.title, self.body, self.summary = view.version, view.title, view.body, view.summary
        self.published, self.current = formats.day(view.published_at), view.current
        self.loaded = True
