"""Files on tickets and comments: sent with a new ticket or a comment, listed with the conversation, downloaded
only through the authorized route (api/files.py), which asks ``open_attachment``.

Every file of a message is checked (size, count, type sniffed from its first bytes, name sanitised) before anything
is written; the files and the ticket or comment they come with are one transaction (the database storage writes in
it; object storage is cleaned up when the transaction fails). Another organization's attachment reads as a missing
one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.attachments import (
    SNIFF_BYTES,
    AttachmentPolicy,
    CheckedFile,
    check_file,
    count_problem,
)
from opsportal.domain.tasks import ticket_problems
from opsportal.models import Ticket, TicketAttachment, TicketComment
from opsportal.services import file_storage, tasks, thumbnails
from opsportal.services.authz import Actor, require_visible
from opsportal.services.errors import InvalidInput
from opsportal.services.tasks import CommentPublic, InvalidTicket, TaskRow
from opsportal.settings import get_settings

ATTACHMENT_NOT_FOUND = "That file was not found or you do not have access to it."
MAX_LISTED = 5_000  # bound on one page's files (the comment window times the per-message limit is far below)


@dataclass
class IncomingFile:
    """A file as it arrives: the name the browser gave and a readable, seekable binary stream."""

    name: str
    stream: BinaryIO


@dataclass(frozen=True)
class AttachmentPublic:
    id: int
    ticket_id: int
    comment_id: int | None
    name: str
    content_type: str
    size_bytes: int
    is_image: bool
    uploaded_by: str
    created_at: datetime


class InvalidFiles(InvalidInput):
    """Files refused; ``problems``: one sentence per refused file (or about their number)."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def policy() -> AttachmentPolicy:
    s = get_settings()
    return AttachmentPolicy.configured(s.attachment_max_bytes, s.attachment_max_files, s.attachment_types)


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def file_problems(files: Sequence[IncomingFile], rules: AttachmentPolicy | None = None) -> tuple[
        list[tuple[IncomingFile, CheckedFile]], list[str]]:
    """Reads only each file's size and first bytes: the accepted files as they will be kept, and the refusals."""
    rules = rules or policy()
    problems = [p] if (p := count_problem(len(files), rules)) else []
    accepted: list[tuple[IncomingFile, CheckedFile]] = []
    for incoming in files:
        size = _size(incoming.stream)
        head = incoming.stream.read(SNIFF_BYTES) if 0 < size <= rules.max_file_bytes else b""
        incoming.stream.seek(0)
        result = check_file(incoming.name, size, head, rules)
        if isinstance(result, str):
            problems.append(result)
        else:
            accepted.append((incoming, result))
    return accepted, problems


def what_fits(files: Sequence[IncomingFile], rules: AttachmentPolicy | None = None) -> tuple[
        list[IncomingFile], list[str]]:
    """For files nobody can choose again (those of a received e-mail): the acceptable ones, the first
    ``max_files`` of them, and a sentence per file dropped (by the same rules as the portal's uploads)."""
    rules = rules or policy()
    accepted, problems = file_problems(files, rules)
    problems = [p for p in problems if p != count_problem(len(files), rules)]
    kept = [incoming for incoming, _checked in accepted[:rules.max_files]]
    problems += [f"{checked.name}: more than {rules.max_files} files in one message."
                 for _incoming, checked in accepted[rules.max_files:]]
    return kept, problems


class _Writer:
    """The ``attach`` step of a ticket or comment use case: stores the checked files and their rows."""

    def __init__(self, actor: Actor, accepted: list[tuple[IncomingFile, CheckedFile]]):
        self.actor, self.accepted = actor, accepted
        self.backend = file_storage.storage() if accepted else None
        self.put: list[str] = []

    def __call__(self, session: Session, ticket: Ticket, comment: TicketComment | None) -> None:
        store(session, self.backend, ticket, comment, self.accepted, uploaded_by_user_id=self.actor.user_id or None,
              uploaded_by_name=self.actor.full_name or self.actor.email, put=self.put)

    def undo(self) -> None:
        if self.backend is not None:
            file_storage.discard(self.backend, self.put)


def store(session: Session, backend, ticket: Ticket, comment: TicketComment | None,
          accepted: list[tuple[IncomingFile, CheckedFile]], *, uploaded_by_user_id: int | None,
          uploaded_by_name: str, put: list[str] | None = None) -> list[TicketAttachment]:
    """Writes checked files and their rows in ``session`` (also the demo's way in); ``put`` collects keys."""
    rows = []
    now = clock.now()
    for incoming, checked in accepted:
        incoming.stream.seek(0)
        stored = backend.put(incoming.stream, session=session)
        if put is not None:
            put.append(stored.key)
        row = TicketAttachment(ticket_id=ticket.id, comment_id=comment.id if comment is not None else None,
                               organization_id=ticket.organization_id, file_name=checked.name,
                               content_type=checked.content_type, size_bytes=stored.size, is_image=checked.image,
                               storage=backend.name, storage_key=stored.key,
                               uploaded_by_user_id=uploaded_by_user_id, uploaded_by_name=uploaded_by_name,
                               created_at=now)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def create_ticket(actor: Actor, *, subject: str, category: str, priority: str, description: str,
                  files: Sequence[IncomingFile] = (), organization_id: int | None = None) -> TaskRow:
    """``tasks.create_ticket`` with files; the form's problems and the files' are reported together."""
    accepted, refused = file_problems(files)
    if refused:
        problems = ticket_problems(subject, category, priority, description)
        raise InvalidTicket({**problems, "files": " ".join(refused)})
    writer = _Writer(actor, accepted)
    try:
        return tasks.create_ticket(actor, subject=subject, category=category, priority=priority,
                                   description=description, organization_id=organization_id,
                                   attach=writer if accepted else None)
    except BaseException:
        writer.undo()
        raise


def add_comment(actor: Actor, ticket_id: int, body: str, files: Sequence[IncomingFile] = ()) -> CommentPublic:
    """``tasks.add_comment`` with files (a comment may then be files alone); refused files write nothing."""
    accepted, refused = file_problems(files)
    if refused:
        raise InvalidFiles(refused)
    writer = _Writer(actor, accepted)
    try:
        return tasks.add_comment(actor, ticket_id, body, attach=writer if accepted else None)
    except BaseException:
        writer.undo()
        raise


def _public(row: TicketAttachment) -> AttachmentPublic:
    return AttachmentPublic(id=row.id, ticket_id=row.ticket_id, comment_id=row.comment_id, name=row.file_name,
                            content_type=row.content_type, size_bytes=row.size_bytes, is_image=row.is_image,
                            uploaded_by=row.uploaded_by_name, created_at=row.created_at)


def ticket_files(actor: Actor, ticket_id: int, comment_ids: Sequence[int] = ()) -> list[AttachmentPublic]:
    """The files on the ticket itself and on the given comments of it, oldest first (refused like the task)."""
    with unit_of_work(write=False) as session:
        ticket = session.get(Ticket, ticket_id)
        require_visible(actor, ticket.organization_id if ticket is not None else None, tasks.TASK_NOT_FOUND)
        on_message = TicketAttachment.comment_id.is_(None)
        if comment_ids:
            on_message = on_message | TicketAttachment.comment_id.in_(list(comment_ids))
        rows = session.exec(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket_id, on_message)
                            .order_by(TicketAttachment.id).limit(MAX_LISTED)).all()
        return [_public(r) for r in rows]


def attachment(actor: Actor, attachment_id: int) -> AttachmentPublic:
    return _public(_visible(actor, attachment_id))


def _visible(actor: Actor, attachment_id: int) -> TicketAttachment:
    with unit_of_work(write=False) as session:
        row = session.get(TicketAttachment, attachment_id) if 0 < attachment_id < 2**31 else None
        require_visible(actor, row.organization_id if row is not None else None, ATTACHMENT_NOT_FOUND)
        return row


def open_attachment(actor: Actor, attachment_id: int) -> tuple[AttachmentPublic, Iterator[bytes]]:
    """The attachment and its bytes a chunk at a time; NotFound alike for a missing one and another
    organization's."""
    row = _visible(actor, attachment_id)
    try:
        chunks = file_storage.storage(row.storage).open(row.storage_key)
    except file_storage.FileMissing as exc:
        raise file_storage.FileMissing(ATTACHMENT_NOT_FOUND) from exc
    return _public(row), chunks


def open_thumbnail(actor: Actor, attachment_id: int) -> tuple[AttachmentPublic, thumbnails.Thumbnail]:
    """A bounded-size preview of an attached image, asked like the file itself (``open_attachment``: NotFound
    alike for a missing one and another organization's); ``thumbnails.NoPreview`` when it has none."""
    row = _visible(actor, attachment_id)
    if not row.is_image:
        raise thumbnails.NoPreview("Only images have a preview.")
    try:
        data = b"".join(file_storage.storage(row.storage).open(row.storage_key))
    except file_storage.FileMissing as exc:
        raise file_storage.FileMissing(ATTACHMENT_NOT_FOUND) from exc
    return _public(row), thumbnails.make(data)
