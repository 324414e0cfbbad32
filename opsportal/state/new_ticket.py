"""Submit a ticket: the form, its field messages, and knowledge-base suggestions while typing."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.domain.tasks import CATEGORIES, Priority, ticket_problems
from opsportal.services import attachments, kb, tasks
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect
from opsportal.state.task import TaskState
from opsportal.state.uploads import UploadMixin, incoming_files

FIELDS = ("subject", "category", "priority", "description")
FIELD_LABELS = {"subject": "Subject", "category": "Category", "priority": "Priority", "description": "Description"}
PRIORITY_OPTIONS = [{"value": p.value, "label": formats.label(p.value)} for p in Priority]
CATEGORY_OPTIONS = list(CATEGORIES)
SUGGESTIONS = 3
FILES_FIELD_ID = "ticket-files-hint"  # where the problem summary sends the reader for the files
# What a suggestion looks at: enough to match, little enough to stay fast.
SUGGEST_CHARS = 1_000


class NewTicketState(UploadMixin, rx.State):
    is_customer: bool = False
    subject: str = ""
    description: str = ""
    category: str = ""
    priority: str = "normal"
    problems: dict[str, str] = {}
    summary: list[dict[str, str]] = []
    suggestions: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    async def load(self):
        self.subject = self.description = self.error = self.category = ""
        self.priority = "normal"
        self.problems, self.summary, self.suggestions = {}, [], []
        self._fresh_picker()
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.is_customer = not actor.is_staff

    async def _suggest(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        text = f"{self.subject}\n{self.description}"[:SUGGEST_CHARS]
        found = await offload.run(kb.suggest, actor, text, limit=SUGGESTIONS)
        self.suggestions = [{"slug": s.slug, "title": s.title, "category": s.category,
                             "href": routes.kb_article(s.slug)} for s in found]

    def _recheck(self, name: str) -> None:
        """A field with a problem is checked again as it changes: its message goes as soon as it is fixed."""
        if name not in self.problems:
            return
        now = ticket_problems(self.subject, self.category, self.priority, self.description)
        if name not in now:
            self.problems = {f: m for f, m in self.problems.items() if f != name}
            self.summary = [item for item in self.summary if item["field"] != name]

    @rx.event
    async def type_subject(self, value: str):
        self.subject = str(value)[:1_000]
        self._recheck("subject")
        return await self._suggest()

    @rx.event
    async def type_description(self, value: str):
        self.description = str(value)[:25_000]
        self._recheck("description")
        return await self._suggest()

    @rx.event
    def choose_category(self, value: str):
        self.category = str(value)[:100]
        self._recheck("category")

    @rx.event
    def choose_priority(self, value: str):
        self.priority = str(value)[:20]
        self._recheck("priority")

    @rx.event
    async def submit(self, form: dict):
        return await self._submit(form, [])

    @rx.event
    async def submit_with_files(self, form: dict, files: list[rx.UploadFile]):
        """The form's submit: its values and the files chosen (uploaded with a progress bar)."""
        return await self._submit(form, files)

    async def _submit(self, form: dict, files: list):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        self.error = self.files_error = ""
        values = {name: str((form or {}).get(name, "")) for name in FIELDS}
        self.subject, self.description = values["subject"], values["description"]
        self.category, self.priority = values["category"], values["priority"]
        try:
            ticket = await offload.run(attachments.create_ticket, actor, **values, files=incoming_files(files))
        except tasks.InvalidTicket as exc:
            self._upload_done(sent=False)
            self.problems = {f: m for f, m in exc.problems.items() if f != "files"}
            self.files_error = exc.problems.get("files", "")
            self.summary = [{"field": f, "field_id": f"ticket-{f}", "label": FIELD_LABELS.get(f, f), "message": m}
                            for f in FIELDS if (m := exc.problems.get(f))]
            if self.files_error:
                self.summary.append({"field": "files", "field_id": FILES_FIELD_ID, "label": "Files",
                                     "message": self.files_error})
            return
        except ServiceError as exc:
            self._upload_done(sent=False)
            self.problems, self.summary, self.error = {}, [], str(exc)
            return
        self._upload_done(sent=True)
        self.problems, self.summary, self.suggestions = {}, [], []
        self.subject = self.description = self.category = ""
        self.priority = "normal"
        (await self.get_state(TaskState))._just_submitted = ticket.id
        return rx.redirect(routes.task(ticket.id))
