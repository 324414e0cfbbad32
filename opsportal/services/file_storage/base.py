"""What every storage backend shares: the stored file's handle, the missing-file error, chunking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from opsportal.services.errors import NotFound

CHUNK_BYTES = 512 * 1024


class FileMissing(NotFound):
    """No stored file under that key."""


@dataclass(frozen=True)
class Stored:
    key: str
    size: int


def chunks_of(data: bytes | BinaryIO, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for start in range(0, len(view), size):
            yield bytes(view[start:start + size])
        return
    while block := data.read(size):
        yield block
