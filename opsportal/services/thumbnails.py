"""Small previews of attached images (Pillow, which fpdf2 already brings): a bounded-size PNG or JPEG made from the
image's bytes, so a conversation does not load every full-size screenshot to show it a few centimetres wide.

Computed when asked (the file route runs in a worker thread, never on the event loop) and cached by the browser;
an image too large to decode safely gets no preview rather than a decompression bomb.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

BOX = (480, 320)  # twice the preview's CSS box (14rem x 10rem), for sharp previews on dense screens
MAX_PIXELS = 40_000_000  # a larger picture is not decoded for a preview (a 10 MB file can claim billions)


class NoPreview(Exception):
    """The image cannot be previewed safely (too many pixels, unreadable)."""


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    content_type: str


def make(data: bytes, box: tuple[int, int] = BOX) -> Thumbnail:
    """``data`` (an image file's bytes) scaled to fit ``box``, never enlarged; PNG when it has transparency."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NoPreview("The image is too large to preview.")
                image.draft("RGB", box)  # JPEG: decode at a reduced scale straight away
                image.seek(0)  # an animation previews its first frame
                picture = ImageOps.exif_transpose(image.copy())
    except NoPreview:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NoPreview("The image is too large to preview.") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a broken file
        raise NoPreview("The image could not be read.") from exc
    picture.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    transparent = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
    if transparent:
        picture.convert("RGBA").save(out, format="PNG", optimize=True)
        return Thumbnail(out.getvalue(), "image/png")
    picture.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
    return Thumbnail(out.getvalue(), "image/jpeg")
