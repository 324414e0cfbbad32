"""Previews of attached images (services.thumbnails): bounded, never enlarged, PNG only for transparency, and no
decoding of pictures too large to preview safely."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from opsportal.services import thumbnails
from tests.utils.files import png_bytes


def _open(thumb: thumbnails.Thumbnail) -> Image.Image:
    return Image.open(io.BytesIO(thumb.data))


def test_a_large_screenshot_is_scaled_to_fit_the_box_keeping_its_proportions_as_a_jpeg():
    thumb = thumbnails.make(png_bytes(1920, 1080))
    assert thumb.content_type == "image/jpeg"
    assert _open(thumb).size == (480, 270)
    assert len(thumb.data) < len(png_bytes(1920, 1080)) * 2


def test_a_small_image_is_never_enlarged():
    assert _open(thumbnails.make(png_bytes(64, 40))).size == (64, 40)


def test_an_image_with_transparency_stays_a_png():
    out = io.BytesIO()
    Image.new("RGBA", (900, 900), (0, 0, 0, 0)).save(out, format="PNG")
    thumb = thumbnails.make(out.getvalue())
    assert (thumb.content_type, _open(thumb).size, _open(thumb).mode) == ("image/png", (320, 320), "RGBA")


def test_a_tall_image_fits_the_height():
    assert _open(thumbnails.make(png_bytes(300, 3000))).size == (32, 320)


def test_a_picture_claiming_too_many_pixels_gets_no_preview(monkeypatch):
    monkeypatch.setattr(thumbnails, "MAX_PIXELS", 1000)
    with pytest.raises(thumbnails.NoPreview, match="too large"):
        thumbnails.make(png_bytes(100, 100))


def test_bytes_that_are_no_image_get_no_preview():
    with pytest.raises(thumbnails.NoPreview, match="could not be read"):
        thumbnails.make(b"\x89PNG\r\n\x1a\n" + b"broken" * 10)
