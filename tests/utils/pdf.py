"""The text of a PDF written by fpdf2 (compressed or not, core font or embedded Unicode font), in drawing order,
one shown string per line: enough for tests to read what an invoice says without a PDF library."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)?\s*(?:stream\n(.*?)\nendstream)?\s*endobj", re.S)
_SHOW = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(body: bytes) -> dict[int, tuple[bytes, bytes]]:
    out = {}
    for m in _OBJECT.finditer(body):
        head, data = m.group(2) or b"", m.group(3) or b""
        if data and b"/FlateDecode" in head:
            data = zlib.decompress(data)
        out[int(m.group(1))] = (head, data)
    return out


def _unescape(raw: bytes) -> bytes:
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
                  else _ESCAPES.get(m.group(1), m.group(1)), raw, flags=re.S)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap.split(b"beginbfchar", 1)[-1])
    return {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for code, text in pairs}


def pdf_text(body: bytes) -> str:
    objects = _objects(body)
    fonts: dict[bytes, dict[int, str] | None] = {}  # resource name -> code map (None: a core font, Latin-1)
    for head, _ in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            font_head = objects.get(int(ref), (b"", b""))[0]
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", font_head)
            fonts[name] = _to_unicode(objects[int(unicode_ref.group(1))][1]) if unicode_ref else None
    lines, current = [], None
    for head, data in objects.values():
        if b"/Length" not in head or b"/Subtype" in head or b"/Length1" in head or b"CIDInit" in data:
            continue  # page contents only: not fonts, font files or maps
        for m in _SHOW.finditer(data):
            if m.group(1):
                current = fonts.get(m.group(1))
                continue
            raw = _unescape(m.group(2))
            if current is None:
                lines.append(raw.decode("latin-1"))
            else:
                lines.append("".join(current.get(int.from_bytes(raw[i:i + 2], "big"), "?")
                                     for i in range(0, len(raw), 2)))
    return "\n".join(lines)
