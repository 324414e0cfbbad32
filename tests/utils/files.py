"""Files for the attachment tests: a real small PNG, a PDF header, text; and a local S3-compatible server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

from opsportal.services.attachments import IncomingFile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(width: int = 32, height: int = 20, color: tuple[int, int, int] = (40, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def incoming(name: str, data: bytes) -> IncomingFile:
    return IncomingFile(name=name, stream=io.BytesIO(data))


@contextmanager
def moto_s3(port: int, bucket: str = "opsportal-test") -> Iterator[str]:
    """moto's S3-compatible server on ``port`` with an empty ``bucket``; yields its endpoint URL."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                     aws_secret_access_key="test").create_bucket(Bucket=bucket)
        yield endpoint
    finally:
        server.stop()
