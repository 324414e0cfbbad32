"""Files attached to tickets and comments: which are accepted, what they are, and the names they are kept under.

Pure rules, no I/O. The content type is decided from the file's first bytes where the format has a signature
(images, PDF, ZIP and the Office formats inside it, old Office files) and the extension must agree with them; text
files must be text (UTF-8 or Latin-1 without control bytes). What the browser says the type is is never trusted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from opsportal.domain.formats import byte_size

MAX_NAME_LENGTH = 120
# Windows refuses these as file names (with any extension): a downloaded file must save anywhere.
RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                            *(f"lpt{i}" for i in range(1, 10))})
SNIFF_BYTES = 8192  # how much of a file the type check reads


@dataclass(frozen=True)
class FileKind:
    extensions: tuple[str, ...]
    content_type: str
    label: str
    signatures: tuple[bytes, ...] = ()  # the file starts with one of these; () for text
    image: bool = False

    def matches(self, head: bytes) -> bool:
        if self.content_type == "image/webp":
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        if self.signatures:
            return any(head.startswith(s) for s in self.signatures)
        return looks_like_text(head)


_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
KINDS: dict[str, FileKind] = {k.extensions[0]: k for k in (
    FileKind(("png",), "image/png", "PNG image", (b"\x89PNG\r\n\x1a\n",), image=True),
    FileKind(("jpg", "jpeg"), "image/jpeg", "JPEG image", (b"\xff\xd8\xff",), image=True),
    FileKind(("gif",), "image/gif", "GIF image", (b"GIF87a", b"GIF89a"), image=True),
    FileKind(("webp",), "image/webp", "WebP image", (b"RIFF",), image=True),
    FileKind(("pdf",), "application/pdf", "PDF document", (b"%PDF-",)),
    FileKind(("txt",), "text/plain", "text file"),
    FileKind(("log",), "text/plain", "log file"),
    FileKind(("csv",), "text/csv", "CSV file"),
    FileKind(("json",), "application/json", "JSON file"),
    FileKind(("zip",), "application/zip", "ZIP archive", _ZIP),
    FileKind(("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "Word document", _ZIP),
    FileKind(("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook", _ZIP),
    FileKind(("pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "PowerPoint presentation", _ZIP),
    FileKind(("odt",), "application/vnd.oasis.opendocument.text", "OpenDocument text", _ZIP),
    FileKind(("ods",), "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", _ZIP),
    FileKind(("doc",), "application/msword", "Word document", _OLE),
    FileKind(("xls",), "application/vnd.ms-excel", "Excel workbook", _OLE),
    FileKind(("ppt",), "application/vnd.ms-powerpoint", "PowerPoint presentation", _OLE),
)}
BY_EXTENSION: dict[str, FileKind] = {ext: kind for kind in KINDS.values() for ext in kind.extensions}
DEFAULT_EXTENSIONS = tuple(BY_EXTENSION)


@dataclass(frozen=True)
class AttachmentPolicy:
    max_file_bytes: int = 10_000_000
    max_files: int = 5
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS

    @classmethod
    def configured(cls, max_file_bytes: int, max_files: int, types: str) -> AttachmentPolicy:
        """From the settings' values (``types``: extensions separated by commas or spaces)."""
        return cls(max_file_bytes=max_file_bytes, max_files=max_files, extensions=parse_extensions(types))

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(e for e in self.extensions if e in BY_EXTENSION)

    def accept(self) -> dict[str, list[str]]:
        """For the browser's file picker: content type -> extensions (``{"image/png": [".png"]}``)."""
        out: dict[str, list[str]] = {}
        for ext in self.allowed:
            out.setdefault(BY_EXTENSION[ext].content_type, []).append("." + ext)
        return out


def parse_extensions(text: str) -> tuple[str, ...]:
    """``"png, .JPG pdf"`` -> ``("png", "jpg", "pdf")`` (unknown extensions are kept; the policy ignores them)."""
    return tuple(dict.fromkeys(e.strip().lstrip(".").lower() for e in re.split(r"[\s,;]+", text) if e.strip(" .")))


def looks_like_text(head: bytes) -> bool:
    """Text: decodes as UTF-8 (a character cut at the end of ``head`` is fine) or Latin-1, no control bytes besides
    tab, newlines, form feed and escape (log colours)."""
    if b"\x00" in head:
        return False
    if any(b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B) for b in head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return not any(0x80 <= b < 0xA0 for b in head)  # Latin-1 text has no C1 controls
    return True


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem.strip(". ") else ""


def sanitize_file_name(name: str, *, fallback: str = "file") -> str:
    """A name safe to store and to offer for download: the last path part, no control or separator characters,
    no leading dots, not a reserved device name, at most MAX_NAME_LENGTH characters, the extension kept."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    text = re.sub(r'[<>:"|?*\x00-\x1f\x7f]', "_", text)
    text = " ".join(text.split()).strip(" .")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    ext = ext.strip()[:16]
    stem = stem.strip(" .") or fallback
    if stem.split(".")[0].lower() in RESERVED_NAMES:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    stem = stem[:MAX_NAME_LENGTH - len(suffix)].rstrip(" .") or fallback
    return stem + suffix


@dataclass(frozen=True)
class CheckedFile:
    name: str  # sanitised
    content_type: str
    image: bool


def check_file(name: str, size: int, head: bytes, policy: AttachmentPolicy) -> CheckedFile | str:
    """The file as it will be kept, or why it is refused (a sentence naming the file)."""
    clean = sanitize_file_name(name)
    if size <= 0:
        return f"{clean} is empty."
    if size > policy.max_file_bytes:
        return f"{clean} is too big ({byte_size(size)}); files may be up to {byte_size(policy.max_file_bytes)}."
    ext = extension_of(clean)
    kind = BY_EXTENSION.get(ext) if ext in policy.allowed else None
    if kind is None:
        return f"{clean}: this type of file is not accepted. Accepted: {allowed_text(policy)}."
    if not kind.matches(head[:SNIFF_BYTES]):
        return f"{clean} is not a valid {kind.label} (its contents do not match the .{ext} extension)."
    return CheckedFile(name=clean, content_type=kind.content_type, image=kind.image)


def count_problem(count: int, policy: AttachmentPolicy) -> str | None:
    if count > policy.max_files:
        return f"Attach at most {policy.max_files} files to one message ({count} chosen)."
    return None


def allowed_text(policy: AttachmentPolicy) -> str:
    return ", ".join(policy.allowed)


def limits_text(policy: AttachmentPolicy) -> str:
    """What the upload control says under itself."""
    return (f"Up to {policy.max_files} files, {byte_size(policy.max_file_bytes)} each: "
            f"{allowed_text(policy)}.")
