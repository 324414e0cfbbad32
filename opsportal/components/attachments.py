"""Attaching files to a message (a picker with the files chosen, an upload bar, the refusals) and showing the files
of a message: image previews (a real thumbnail, ``?thumb=1``; the full image on click) and name + size links, all
through the authorized route (api/files.py)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.object import ObjectVar
from reflex_base.vars.sequence import ArrayVar

from opsportal.components.backend import BACKEND_ORIGIN, backend_link
from opsportal.components.layout import error_callout
from opsportal.domain.attachments import limits_text
from opsportal.services.attachments import policy

MUTED = rx.color("gray", 11)


def file_picker(state, *, id_prefix: str, label: str = "Attach files") -> rx.Component:
    """``state``: mixes in ``state.uploads.UploadMixin``; the form's submit sends the chosen files
    (``rx.upload_files(upload_id=state.files_upload_id, ...)``)."""
    rules = policy()
    upload_id = state.files_upload_id
    chosen = rx.selected_files(upload_id)
    hint_id = f"{id_prefix}-files-hint"
    picker = rx.upload(
        rx.hstack(
            rx.icon("paperclip", size=16, aria_hidden="true"),
            rx.text("Choose files or drop them here", size="2"),
            spacing="2", align="center",
        ),
        id=upload_id,
        multiple=True,
        max_files=rules.max_files,
        max_size=rules.max_file_bytes,
        accept=rules.accept(),
        on_drop_rejected=lambda rejected: state.files_refused(_refusals(rejected)),
        border=f"1px dashed {rx.color('gray', 8)}",
        border_radius="0.5rem",
        padding="0.75rem 1rem",
        width="100%",
        cursor="pointer",
        role="button",
        aria_label=label,
        aria_describedby=hint_id,
        class_name="file-picker",
        custom_attrs={"id": f"{id_prefix}-files"},
    )
    # The dropzone's own file input (the picker's keyboard and screen-reader way in) is named too.
    picker.children[0].children[0].custom_attrs.update({"aria-label": label, "aria-describedby": hint_id})
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="div"),
        picker,
        rx.text(limits_text(rules), size="1", color=MUTED, id=hint_id),
        rx.cond(
            chosen.length() > 0,
            rx.el.ul(
                rx.foreach(chosen, lambda name: rx.el.li(
                    rx.hstack(rx.icon("file", size=14, aria_hidden="true"), rx.text(name, size="2"),
                              spacing="2", align="center"))),
                aria_label="Files chosen", class_name="files-chosen", padding="0", margin="0", list_style="none",
            ),
        ),
        rx.cond(state.uploading,
                rx.vstack(rx.text("Uploading… ", state.upload_percent, "%", size="1", color=MUTED),
                          rx.progress(value=state.upload_percent, max=100, width="100%", aria_label="Upload progress"),
                          width="100%", spacing="1", role="status")),
        error_callout(state.files_error),
        spacing="2",
        width="100%",
    )


def _refusals(rejected) -> rx.Var:
    """react-dropzone's refusals as ``"name|code,code"`` strings (the File objects stay in the browser)."""
    def one(record):
        record = record.to(ObjectVar, dict[str, dict[str, Any]])
        file = record["file"].to(ObjectVar, dict[str, Any])
        errors = record["errors"].to(ArrayVar, list[dict[str, Any]])
        return file["name"].to(str) + "|" + errors.map(lambda e: e["code"]).join(",")

    return rejected.to(ArrayVar).map(one)


def send_with_files(handler, state):
    """The form's on_submit: the form's values and the chosen files go to ``handler(form, files)``."""
    return lambda form: handler(form, rx.upload_files(upload_id=state.files_upload_id,
                                                      on_upload_progress=state.upload_progress))


def _file(f: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.cond(
            f["image"] == "yes",
            backend_link(
                rx.image(src=BACKEND_ORIGIN + f["thumb"], alt=f["name"], loading="lazy", max_width="14rem",
                         max_height="10rem", object_fit="contain", border=f"1px solid {rx.color('gray', 6)}",
                         border_radius="0.35rem", display="block", class_name="attachment-preview"),
                rx.text(f["label"], size="1", color=MUTED),
                path=f["href"], is_external=True, aria_label="Open " + f["label"] + " (opens in a new tab)",
            ),
            backend_link(rx.hstack(rx.icon("file-down", size=14, aria_hidden="true"), rx.text(f["name"], size="2"),
                                   rx.text(f["size"], size="1", color=MUTED), spacing="2", align="center"),
                         path=f["href"], class_name="attachment-file"),
        ),
        list_style="none",
    )


def attachment_list(files: rx.Var) -> rx.Component:
    """``files``: a list var of ``state.attachment_views.file_fields``."""
    return rx.cond(
        files.length() > 0,
        rx.el.ul(rx.foreach(files, _file), display="flex", flex_wrap="wrap", gap="0.75rem", padding="0",
                 margin="0.5rem 0 0 0", aria_label="Attached files", class_name="attachments"),
    )
