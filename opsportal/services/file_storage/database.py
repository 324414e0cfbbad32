"""Files in the portal's database: a ``stored_blob`` row and its chunks (at most CHUNK_BYTES each)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import BinaryIO

from sqlalchemy import delete, func
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import StoredBlob, StoredBlobChunk
from opsportal.services.file_storage.base import CHUNK_BYTES, FileMissing, Stored, chunks_of


class DatabaseStorage:
    name = "database"

    def put(self, data: bytes | BinaryIO, *, session: Session | None = None) -> Stored:
        if session is None:
            with unit_of_work() as own:
                return self.put(data, session=own)
        blob = StoredBlob(key=secrets.token_hex(16), size_bytes=0, created_at=clock.now())
        session.add(blob)
        session.flush()
        size = 0
        for seq, chunk in enumerate(chunks_of(data, CHUNK_BYTES)):
            row = StoredBlobChunk(blob_id=blob.id, seq=seq, data=chunk)
            session.add(row)
            session.flush()
            session.expunge(row)  # the session keeps no chunk: one in memory at a time
            size += len(chunk)
        blob.size_bytes = size
        session.add(blob)
        session.flush()
        return Stored(key=blob.key, size=size)

    def _blob(self, session: Session, key: str) -> StoredBlob:
        blob = session.exec(select(StoredBlob).where(StoredBlob.key == key)).first()
        if blob is None:
            raise FileMissing("That file was not found.")
        return blob

    def open(self, key: str) -> Iterator[bytes]:
        with unit_of_work(write=False) as session:
            blob = self._blob(session, key)
            last = session.exec(select(func.max(StoredBlobChunk.seq)).where(StoredBlobChunk.blob_id == blob.id)).one()
        return self._chunks(blob.id, -1 if last is None else int(last))

    @staticmethod
    def _chunks(blob_id: int, last: int) -> Iterator[bytes]:
        for seq in range(last + 1):  # a query per chunk: no connection held while the client reads
            with unit_of_work(write=False) as session:
                data = session.exec(select(StoredBlobChunk.data).where(StoredBlobChunk.blob_id == blob_id,
                                                                       StoredBlobChunk.seq == seq)).first()
            if data is None:
                return
            yield bytes(data)

    def get(self, key: str) -> bytes:
        return b"".join(self.open(key))

    def size(self, key: str) -> int:
        with unit_of_work(write=False) as session:
            return int(self._blob(session, key).size_bytes)

    def delete(self, key: str, *, session: Session | None = None) -> None:
        if session is None:
            with unit_of_work() as own:
                return self.delete(key, session=own)
        blob = session.exec(select(StoredBlob).where(StoredBlob.key == key)).first()
        if blob is None:
            return None
        session.exec(delete(StoredBlobChunk).where(StoredBlobChunk.blob_id == blob.id))
        session.delete(blob)
        session.flush()
        return None
