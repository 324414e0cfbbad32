"""Files in S3-compatible object storage (AWS S3, MinIO, Ceph, moto's server in the tests), through boto3."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import BinaryIO

from sqlmodel import Session

from opsportal.services.file_storage.base import CHUNK_BYTES, FileMissing, Stored


class _Counting:
    """A read-only stream that counts what boto3 reads from it (bytes are wrapped too)."""

    def __init__(self, data: bytes | BinaryIO):
        import io

        self._stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        block = self._stream.read(size)
        self.count += len(block)
        return block


class S3Storage:
    name = "s3"

    def __init__(self, *, bucket: str, endpoint_url: str | None, region: str, access_key_id: str | None,
                 secret_access_key: str | None, prefix: str = ""):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                                   aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
                                   config=Config(retries={"max_attempts": 3, "mode": "standard"},
                                                 connect_timeout=10, read_timeout=60))

    def put(self, data: bytes | BinaryIO, *, session: Session | None = None) -> Stored:
        key = self.prefix + secrets.token_hex(16)
        stream = _Counting(data)
        # Multipart above the threshold: boto3 reads the stream a part at a time, never the whole file.
        self.client.upload_fileobj(stream, self.bucket, key)
        return Stored(key=key, size=stream.count)

    def _missing(self, exc: Exception) -> bool:
        from botocore.exceptions import ClientError

        return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
            "404", "NoSuchKey", "NotFound")

    def open(self, key: str) -> Iterator[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except Exception as exc:
            if self._missing(exc):
                raise FileMissing("That file was not found.") from exc
            raise
        return self._read(body)

    @staticmethod
    def _read(body) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()

    def get(self, key: str) -> bytes:
        return b"".join(self.open(key))

    def size(self, key: str) -> int:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except Exception as exc:
            if self._missing(exc):
                raise FileMissing("That file was not found.") from exc
            raise

    def delete(self, key: str, *, session: Session | None = None) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)
