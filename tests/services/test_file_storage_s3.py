"""The object-storage backend against a local S3-compatible server (moto's server mode), and attachments kept
there: the row in the database, the bytes in the bucket."""

from __future__ import annotations

import io
import sys
import uuid

import boto3
import pytest

from opsportal.services import attachments, file_storage, tasks
from opsportal.settings import get_settings
from tests.utils.files import incoming, moto_s3, png_bytes
from tests.utils.mail import free_port
from tests.utils.tasks import DESCRIPTION


@pytest.fixture
def s3(monkeypatch) -> str:
    # moto keeps every server's buckets in one process-wide store: a bucket of its own per test.
    bucket = f"opsportal-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(sys.modules[__name__], "BUCKET", bucket, raising=False)
    with moto_s3(free_port(), bucket) as endpoint:
        for name, value in {"STORAGE": "s3", "STORAGE_S3_BUCKET": bucket, "STORAGE_S3_ENDPOINT_URL": endpoint,
                            "STORAGE_S3_ACCESS_KEY_ID": "test", "STORAGE_S3_SECRET_ACCESS_KEY": "test"}.items():
            monkeypatch.setenv(f"OPSPORTAL_{name}", value)
        get_settings.cache_clear()
        file_storage._s3_for.cache_clear()
        yield endpoint
        get_settings.cache_clear()
        file_storage._s3_for.cache_clear()


BUCKET = ""  # the current test's bucket (set by the fixture)


def objects(endpoint: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_the_s3_storage_round_trips_bytes_and_streams(s3):
    backend = file_storage.storage()
    assert backend.name == "s3"
    small = backend.put(b"hello world")
    big = backend.put(io.BytesIO(b"0123456789" * 200_000))  # 2 MB from a stream
    assert (small.size, big.size) == (11, 2_000_000)
    assert backend.get(small.key) == b"hello world"
    assert b"".join(backend.open(big.key)) == b"0123456789" * 200_000
    assert backend.size(big.key) == 2_000_000
    assert sorted(objects(s3)) == sorted([small.key, big.key])
    backend.delete(small.key)
    with pytest.raises(file_storage.FileMissing):
        backend.open(small.key)
    with pytest.raises(file_storage.FileMissing):
        backend.size(small.key)


def test_an_attachment_kept_in_s3_is_read_back_through_the_service(world, s3):
    png = png_bytes()
    row = attachments.create_ticket(world.actor("retail_member"), subject="Black screen", category="End-user support",
                                    priority="normal", description=DESCRIPTION, files=[incoming("shot.png", png)])
    (listed,) = attachments.ticket_files(world.actor("agent"), row.id)
    meta, chunks = attachments.open_attachment(world.actor("agent"), listed.id)
    assert b"".join(chunks) == png
    assert len(objects(s3)) == 1


def test_objects_put_for_a_ticket_that_is_refused_are_deleted_again(world, s3):
    with pytest.raises(tasks.InvalidTicket):
        # The form is wrong (no category) but the files are fine: the objects go away with the refused ticket.
        attachments.create_ticket(world.actor("retail_member"), subject="Black screen", category="",
                                  priority="normal", description=DESCRIPTION, files=[incoming("a.png", png_bytes())])
    assert objects(s3) == []
