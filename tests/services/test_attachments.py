"""Files on tickets and comments (SQLite and PostgreSQL): stored with their message in one transaction, refused
whole when one is not acceptable, and readable only by someone who may see the ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import StoredBlob, StoredBlobChunk, Ticket, TicketAttachment, TicketComment
from opsportal.services import attachments, file_storage, tasks
from opsportal.services.errors import Conflict, NotFound
from opsportal.settings import get_settings
from tests.utils.files import PDF, incoming, png_bytes
from tests.utils.tasks import DESCRIPTION, new_task

TICKET = {"subject": "Screen goes black", "category": "End-user support", "priority": "normal",
          "description": DESCRIPTION}


def counts() -> dict[str, int]:
    with unit_of_work(write=False) as session:
        return {model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
                for model in (Ticket, TicketComment, TicketAttachment, StoredBlob, StoredBlobChunk)}


def test_a_new_ticket_keeps_its_files_with_sanitised_names_and_sniffed_types(world):
    png = png_bytes()
    row = attachments.create_ticket(world.actor("retail_member"), **TICKET, files=[
        incoming("C:\\Users\\sanjay\\Desktop\\black screen.png", png), incoming("../../etc/report.pdf", PDF)])
    listed = attachments.ticket_files(world.actor("retail_member"), row.id)
    assert [(f.name, f.content_type, f.is_image, f.size_bytes) for f in listed] == [
        ("black screen.png", "image/png", True, len(png)), ("report.pdf", "application/pdf", False, len(PDF))]
    meta, chunks = attachments.open_attachment(world.actor("agent"), listed[0].id)
    assert b"".join(chunks) == png and meta.name == "black screen.png"


def test_a_comment_may_carry_files_alone_and_lists_them_under_that_comment(world):
    task_id = new_task(world.retail)
    comment = attachments.add_comment(world.actor("retail_owner"), task_id, "", [incoming("trace.log", b"ERR 42\n")])
    listed = attachments.ticket_files(world.actor("retail_owner"), task_id, [comment.id])
    assert [(f.comment_id, f.name, f.content_type) for f in listed] == [(comment.id, "trace.log", "text/plain")]
    assert attachments.ticket_files(world.actor("retail_owner"), task_id) == []  # not asked for that comment


def test_an_agent_attaches_a_file_to_a_reply(world):
    task_id = new_task(world.fabrikam)
    comment = attachments.add_comment(world.actor("agent"), task_id, "Use this driver.",
                                      [incoming("driver.zip", b"PK\x03\x04" + b"\0" * 40)])
    (listed,) = attachments.ticket_files(world.actor("fabrikam_owner"), task_id, [comment.id])
    assert (listed.name, listed.uploaded_by, listed.content_type) == ("driver.zip", "Alex Kim", "application/zip")


@pytest.mark.parametrize("intruder", ["fabrikam_owner", "logistics_owner", "holdings_owner"])
def test_another_organizations_attachment_answers_like_a_missing_one(world, intruder):
    row = attachments.create_ticket(world.actor("retail_member"), **TICKET, files=[incoming("a.png", png_bytes())])
    (listed,) = attachments.ticket_files(world.actor("retail_member"), row.id)
    with pytest.raises(NotFound) as foreign:
        attachments.open_attachment(world.actor(intruder), listed.id)
    with pytest.raises(NotFound) as missing:
        attachments.open_attachment(world.actor(intruder), listed.id + 1000)
    assert str(foreign.value) == str(missing.value) == attachments.ATTACHMENT_NOT_FOUND
    with pytest.raises(NotFound):
        attachments.ticket_files(world.actor(intruder), row.id)
    with pytest.raises(NotFound):
        attachments.add_comment(world.actor(intruder), row.id, "mine now", [incoming("b.png", png_bytes())])


@pytest.mark.parametrize(("name", "data", "says"), [
    ("setup.exe", b"MZ\x90\x00", "this type of file is not accepted"),
    ("photo.png", b"GIF89a not a png", "is not a valid PNG image"),
    ("notes.txt", b"\x00\x01\x02binary", "is not a valid text file"),
    ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "this type of file is not accepted"),
    ("empty.txt", b"", "is empty"),
])
def test_a_disallowed_file_is_refused_with_its_reason_and_nothing_is_written(world, name, data, says):
    before = counts()
    with pytest.raises(tasks.InvalidTicket) as refused:
        attachments.create_ticket(world.actor("retail_member"), **TICKET,
                                  files=[incoming("fine.png", png_bytes()), incoming(name, data)])
    assert says in refused.value.problems["files"]
    assert counts() == before


def test_an_oversized_file_is_refused_and_nothing_is_written(world, monkeypatch):
    monkeypatch.setenv("OPSPORTAL_ATTACHMENT_MAX_BYTES", "1000")
    get_settings.cache_clear()
    task_id = new_task(world.retail)
    before = counts()
    with pytest.raises(attachments.InvalidFiles) as refused:
        attachments.add_comment(world.actor("retail_owner"), task_id, "see attached",
                                [incoming("big.log", b"x" * 1001), incoming("small.log", b"ok\n")])
    assert refused.value.problems == ["big.log is too big (1 kB); files may be up to 1 kB."]
    assert counts() == before


def test_more_files_than_a_message_may_carry_are_refused(world):
    task_id = new_task(world.retail)
    before = counts()
    with pytest.raises(attachments.InvalidFiles) as refused:
        attachments.add_comment(world.actor("retail_owner"), task_id, "many",
                                [incoming(f"{i}.txt", b"hello\n") for i in range(6)])
    assert refused.value.problems == ["Attach at most 5 files to one message (6 chosen)."]
    assert counts() == before


def test_files_sent_with_a_comment_the_task_refuses_are_not_kept(world):
    task_id = new_task(world.retail)
    with unit_of_work() as session:
        session.get(Ticket, task_id).status = "closed"
    before = counts()
    with pytest.raises(Conflict):
        attachments.add_comment(world.actor("retail_owner"), task_id, "one more", [incoming("a.png", png_bytes())])
    assert counts() == before


def test_the_database_storage_keeps_a_large_file_in_chunks_and_gives_it_back_whole(world):
    backend = file_storage.storage("database")
    data = bytes(range(256)) * 5000  # 1.28 MB: three chunks
    stored = backend.put(data)
    assert stored.size == len(data) == backend.size(stored.key)
    assert [len(c) for c in backend.open(stored.key)] == [file_storage.CHUNK_BYTES] * 2 + [
        len(data) - 2 * file_storage.CHUNK_BYTES]
    assert backend.get(stored.key) == data
    backend.delete(stored.key)
    with pytest.raises(file_storage.FileMissing):
        backend.open(stored.key)
    assert counts()["stored_blob_chunk"] == 0


def test_the_demo_tickets_that_say_a_screenshot_is_attached_carry_one(sqlite_database_url):
    from opsportal.services.demo import load_demo
    from opsportal.services.demo_credits import load_demo_credits
    from opsportal.services.demo_tasks import SCREENSHOT, SCREENSHOT_REPLY, load_demo_tasks
    from opsportal.services.operator import OPERATOR
    from tests.utils.ledger import NOW

    load_demo(OPERATOR)
    load_demo_credits(OPERATOR, now=NOW)
    load_demo_tasks(OPERATOR, now=NOW)
    with unit_of_work(write=False) as session:
        said = {t.id for t in session.exec(select(Ticket).where(Ticket.description.contains(SCREENSHOT))).all()}
        replies = {c.id for c in session.exec(select(TicketComment).where(TicketComment.body == SCREENSHOT_REPLY))}
        files = session.exec(select(TicketAttachment)).all()
    assert said and replies
    assert {f.ticket_id for f in files if f.comment_id is None} == said
    assert {f.comment_id for f in files if f.comment_id is not None} == replies
    (first, *_) = files
    meta, chunks = attachments.open_attachment(OPERATOR, first.id)
    assert meta.is_image and b"".join(chunks).startswith(b"\x89PNG\r\n\x1a\n")
