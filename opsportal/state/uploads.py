"""Files chosen in a form and sent with it: the upload's progress, the browser's refusals, and a fresh picker after
a message went out (the picker's id changes, so the browser forgets the files it held).

Pages use ``components.attachments.file_picker``; a state mixes ``UploadMixin`` in and its upload handler turns the
uploaded files into ``attachments.IncomingFile`` with ``incoming_files`` and calls a service off the event loop.
"""

from __future__ import annotations

import reflex as rx

from opsportal.domain import formats
from opsportal.domain.attachments import AttachmentPolicy
from opsportal.services.attachments import IncomingFile
from opsportal.settings import get_settings

BROWSER_REFUSALS = {"file-too-large": "too big", "file-invalid-type": "not an accepted type",
                    "too-many-files": "too many files at once"}


def incoming_files(files: list) -> list[IncomingFile]:
    """Reflex's uploaded files (spooled to memory or a temporary file by the server) as the services take them."""
    return [IncomingFile(name=str(f.name or f.filename or "file"), stream=f.file) for f in files]


def refusal_text(rejected: list) -> str:
    """What the browser refused to add, in words (``rejected``: ``"name|code,code"`` per file refused)."""
    s = get_settings()  # read once per process: no I/O on the event loop
    rules = AttachmentPolicy.configured(s.attachment_max_bytes, s.attachment_max_files, s.attachment_types)
    parts = []
    for record in rejected or []:
        name, _, codes_text = str(record).rpartition("|")
        name = name.rsplit("/", 1)[-1][:200] or "A file"
        codes = codes_text.split(",")
        why = ", ".join(dict.fromkeys(BROWSER_REFUSALS.get(c, "not accepted") for c in codes)) or "not accepted"
        parts.append(f"{name}: {why}")
    limits = (f"Files may be up to {formats.byte_size(rules.max_file_bytes)}, at most {rules.max_files} per "
              f"message.")
    return "Not added — " + "; ".join(parts) + ". " + limits if parts else ""


class UploadMixin(rx.State, mixin=True):
    files_generation: int = 0  # part of the picker's id: a new one is an empty picker
    upload_percent: int = 0
    uploading: bool = False
    files_error: str = ""

    @rx.var
    def files_upload_id(self) -> str:
        return f"{self.get_name().rsplit('.', 1)[-1]}-files-{self.files_generation}"

    @rx.event
    def upload_progress(self, progress: dict):
        try:
            share = float(progress.get("progress", 0))
        except (TypeError, ValueError):
            share = 0.0
        self.upload_percent = max(0, min(100, round(share * 100)))
        self.uploading = self.upload_percent < 100

    @rx.event
    def files_refused(self, rejected: list[str]):
        self.files_error = refusal_text(rejected)

    def _fresh_picker(self) -> None:
        """On a page's load: no files left over from a page shown before, no old message."""
        self.files_generation += 1
        self.files_error, self.uploading, self.upload_percent = "", False, 0

    def _upload_done(self, *, sent: bool) -> None:
        """After the server answered: the bar goes; a message that went out starts a fresh, empty picker."""
        self.uploading, self.upload_percent = False, 0
        if sent:
            self.files_generation += 1
            self.files_error = ""
