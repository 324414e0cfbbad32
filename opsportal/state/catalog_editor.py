"""One catalog row edited in a dialog, for the staff catalog pages (hour blocks and credit packs, services; plans
and software products may adopt it).

A page state mixes in ``CatalogEditorMixin`` and gives two hooks: ``_blank()``, the fields of a new row, and
``_from_row(row)``, the fields of one of its ``rows`` (each with a ``title`` for the dialog); ``_missing`` names
what was not found. ``open_edit("")`` opens a blank dialog, ``open_edit(id)`` the row's, or says the row is gone.
The page's ``save`` reads the form with ``self.edit_active`` and ``self._edit_id()``, sets ``problems`` (field ->
message) or ``edit_error``, and closes with ``edit_open = False``. ``components.catalog_editor`` is the dialog.
"""

from __future__ import annotations

import reflex as rx


class CatalogEditorMixin(rx.State, mixin=True):
    error: str = ""
    notice: str = ""
    edit_open: bool = False
    edit_key: int = 0  # part of the form's key: a new value gives the dialog fresh default values
    edit: dict[str, str] = {}
    edit_active: bool = True
    problems: dict[str, str] = {}
    edit_error: str = ""

    def _blank(self) -> dict[str, str]:
        raise NotImplementedError

    def _from_row(self, row: dict[str, str]) -> dict[str, str]:
        raise NotImplementedError

    def _missing(self) -> str:
        return "That row was not found; reload the page."

    def _find(self, row_id: str) -> dict[str, str] | None:
        return next((r for r in getattr(self, "rows", []) if r.get("id") == str(row_id)), None)

    def _edit_id(self) -> int | None:
        """The id of the row the dialog edits, None for a new one."""
        raw = self.edit.get("id", "")
        return int(raw) if raw.isdigit() else None

    @rx.event
    def open_edit(self, row_id: str):
        self.error = self.notice = self.edit_error = ""
        self.problems = {}
        row = self._find(row_id) if row_id else None
        if row_id and row is None:
            self.error = self._missing()
            return
        self.edit = self._blank() if row is None else self._from_row(row)
        self.edit_active = row is None or row.get("active") == "yes"
        self.edit_key += 1
        self.edit_open = True

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = bool(value)

    @rx.event
    def set_edit_active(self, value: bool):
        self.edit_active = bool(value)
