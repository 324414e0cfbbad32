"""Where uploaded files are kept: one interface, two backends chosen by settings (OPSPORTAL_STORAGE).

* ``database`` (default): the file's bytes in the portal's own database, in chunks (``models.files.StoredBlob``), so
  it works on SQLite and on PostgreSQL across hosts with nothing else to run, and a write joins the caller's
  transaction: the file and the row that points at it are committed, or neither.
* ``s3``: any S3-compatible object storage through boto3 (bucket, endpoint URL, region, keys from settings). An
  object cannot join a database transaction: callers that write rows too delete what they put when the transaction
  fails (``put_all``/``discard``).

Generic: attachments use it today, software downloads can tomorrow. Keys are random; nobody reaches a file by its key
except through a route that checks who is asking.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO, Protocol

from sqlmodel import Session

from opsportal.services.file_storage.base import CHUNK_BYTES, FileMissing, Stored, chunks_of
from opsportal.settings import get_settings

__all__ = ["CHUNK_BYTES", "FileMissing", "FileStorage", "Stored", "chunks_of", "discard", "storage"]


class FileStorage(Protocol):
    name: str

    def put(self, data: bytes | BinaryIO, *, session: Session | None = None) -> Stored:
        """Keeps ``data`` (bytes or a readable binary stream, read a chunk at a time) under a new key.

        The database backend writes in ``session`` when given (the caller's transaction), else in its own."""

    def open(self, key: str) -> Iterator[bytes]:
        """The file's bytes, a chunk at a time (raises FileMissing before the first chunk if there is none)."""

    def get(self, key: str) -> bytes:
        """The whole file (small files only; prefer ``open``)."""

    def size(self, key: str) -> int: ...

    def delete(self, key: str, *, session: Session | None = None) -> None:
        """Removes the file; a missing key is not an error."""


def storage(name: str | None = None) -> FileStorage:
    """The configured storage, or the one named (a stored row remembers which backend holds its file)."""
    chosen = name or get_settings().storage
    if chosen == "database":
        from opsportal.services.file_storage.database import DatabaseStorage

        return DatabaseStorage()
    if chosen == "s3":
        return _s3()
    raise ValueError(f"unknown storage {chosen!r}: use 'database' or 's3'")


@lru_cache(maxsize=4)
def _s3_for(bucket: str, endpoint: str, region: str, key_id: str, secret: str, prefix: str) -> FileStorage:
    from opsportal.services.file_storage.s3 import S3Storage

    return S3Storage(bucket=bucket, endpoint_url=endpoint or None, region=region, access_key_id=key_id or None,
                     secret_access_key=secret or None, prefix=prefix)


def _s3() -> FileStorage:
    s = get_settings()
    if not s.storage_s3_bucket:
        raise ValueError("OPSPORTAL_STORAGE=s3 needs OPSPORTAL_STORAGE_S3_BUCKET")
    return _s3_for(s.storage_s3_bucket, s.storage_s3_endpoint_url, s.storage_s3_region, s.storage_s3_access_key_id,
                   s.storage_s3_secret_access_key, s.storage_s3_prefix)


def discard(backend: FileStorage, keys: list[str]) -> None:
    """Best effort: removes files a failed use case had put outside its transaction (object storage)."""
    if backend.name == "database":
        return  # rolled back with the transaction
    for key in keys:
        try:
            backend.delete(key)
        except Exception:  # noqa: BLE001, S110 - the caller's own error is the one to report
            pass
