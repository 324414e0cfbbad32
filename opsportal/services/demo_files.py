"""Demo attachments: a screenshot of an error dialog, drawn at seed time (a plain PNG encoder, no image library),
attached where a demo ticket or reply says a screenshot is attached."""

from __future__ import annotations

import io
import struct
import zlib

from sqlmodel import Session

from opsportal.domain.attachments import CheckedFile
from opsportal.models import Ticket, TicketComment, User
from opsportal.services import attachments, file_storage

WIDTH, HEIGHT = 360, 220
Color = tuple[int, int, int]
# (left, top, right, bottom, colour): a dialog with a title bar, a red error mark, text lines and an OK button.
SHAPES: list[tuple[int, int, int, int, Color]] = [
    (0, 0, WIDTH, HEIGHT, (236, 239, 244)),
    (20, 20, 340, 200, (255, 255, 255)),
    (20, 20, 340, 46, (45, 85, 170)),
    (30, 29, 150, 37, (220, 228, 245)),
    (320, 27, 332, 39, (230, 90, 80)),
    (40, 70, 76, 106, (205, 45, 45)),
    (55, 76, 61, 94, (255, 255, 255)),
    (55, 97, 61, 101, (255, 255, 255)),
    (92, 74, 310, 82, (60, 60, 70)),
    (92, 90, 280, 97, (140, 140, 150)),
    (92, 104, 250, 111, (140, 140, 150)),
    (92, 118, 200, 125, (140, 140, 150)),
    (248, 160, 322, 186, (45, 85, 170)),
    (272, 170, 298, 176, (255, 255, 255)),
]


def screenshot_png() -> bytes:
    rows = []
    for y in range(HEIGHT):
        row = bytearray()
        for x in range(WIDTH):
            color = next(c for left, top, right, bottom, c in reversed(SHAPES)
                         if left <= x < right and top <= y < bottom)
            row += bytes(color)
        rows.append(b"\x00" + bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


_PNG: bytes | None = None


def attach_screenshot(session: Session, ticket: Ticket, comment: TicketComment | None) -> None:
    """A ``tasks.Attach`` step: the screenshot on the new ticket (or comment), uploaded by its author."""
    global _PNG
    _PNG = _PNG or screenshot_png()
    name = f"error-{ticket.id}.png" if comment is None else f"error-{ticket.id}-{comment.id}.png"
    by_id = comment.author_user_id if comment is not None else ticket.created_by_user_id
    author = session.get(User, by_id) if by_id else None
    by_name = comment.author_name if comment is not None else (author.full_name if author else "Customer")
    attachments.store(session, file_storage.storage(), ticket, comment,
                      [(attachments.IncomingFile(name, io.BytesIO(_PNG)),
                        CheckedFile(name=name, content_type="image/png", image=True))],
                      uploaded_by_user_id=by_id, uploaded_by_name=by_name)
