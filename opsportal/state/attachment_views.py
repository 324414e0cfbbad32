"""How attached files read on the task pages (pure: no Reflex, no database)."""

from __future__ import annotations

from collections.abc import Iterable

from opsportal.api.files import file_url, thumbnail_url
from opsportal.domain import formats
from opsportal.services.attachments import AttachmentPublic

TICKET_KEY = "ticket"  # the files sent with the ticket itself


def file_fields(f: AttachmentPublic) -> dict[str, str]:
    return {"id": str(f.id), "name": f.name, "size": formats.byte_size(f.size_bytes), "href": file_url(f.id, f.name),
            "image": "yes" if f.is_image else "", "thumb": thumbnail_url(f.id, f.name) if f.is_image else "",
            "label": f"{f.name} ({formats.byte_size(f.size_bytes)})"}


def by_message(files: Iterable[AttachmentPublic], comment_ids: Iterable[int]) -> dict[str, list[dict[str, str]]]:
    """Files by message: ``"ticket"`` and every shown comment's id (an empty list when it has none)."""
    out: dict[str, list[dict[str, str]]] = {TICKET_KEY: [], **{str(i): [] for i in comment_ids}}
    for f in files:
        key = TICKET_KEY if f.comment_id is None else str(f.comment_id)
        if key in out:
            out[key].append(file_fields(f))
    return out
