"""The day each date picker on a page holds, repeated in the portal's words beside it.

Native pickers write the day the browser's way (``12/03/2026`` or ``03.12.2026``); the words say which day that
is, as every page and e-mail writes it (``formats.picked_day``). Pickers are named by their element id.
"""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats

MAX_PICKERS = 20  # a page has a handful; a browser sending more ids is ignored


class PickedDayState(rx.State):
    days: dict[str, str] = {}  # picker id -> what it holds (ISO)

    @rx.event
    def pick(self, picker: str, value: str):
        picker, value = str(picker)[:40], str(value or "")[:10]
        if picker in self.days or len(self.days) < MAX_PICKERS:
            self.days = {**self.days, picker: value}

    @rx.var
    def words(self) -> dict[str, str]:
        return {picker: formats.picked_day(value) for picker, value in self.days.items()}
