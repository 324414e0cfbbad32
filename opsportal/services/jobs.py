"""Background jobs: long staff actions (the billing run) recorded as a ``job`` row with progress and a result.

``start`` claims a key (``"billing:2026-10"``): a second start while it runs is refused with who started it,
when, and how far it is. The database decides (a unique ``running_key``, NULL once finished), so two workers or
hosts cannot both start it. A running job whose heartbeat is ``domain.jobs.STALE_AFTER`` old died with its
process: the next start marks it failed and runs. The runner reports ``progress`` (which is the heartbeat) and
ends with ``finish`` or ``fail``; those change only a job that is still running, so a run declared dead that
turns out alive cannot overwrite its successor.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import jobs as rules
from opsportal.models import Job
from opsportal.services.authz import Actor, require_staff, require_staff_admin
from opsportal.services.errors import Conflict, InvalidInput, NotFound

# Who may start a kind of job, and who may watch it.
_MAY_RUN: dict[str, Callable[[Actor], None]] = {rules.BILLING: require_staff_admin}
_MAY_SEE: dict[str, Callable[[Actor], None]] = {rules.BILLING: require_staff}
JOB_NOT_FOUND = "That job was not found."


class AlreadyRunning(Conflict):
    """A start refused while another run of the key is alive; ``job_id`` is that run (a page may follow it)."""

    def __init__(self, message: str, job_id: int):
        super().__init__(message)
        self.job_id = job_id


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    key: str
    status: str
    started_by: str
    done: int
    total: int
    summary: str
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None
    stale: bool  # running, but silent for STALE_AFTER when it was read: considered dead

    @property
    def running(self) -> bool:
        return self.status == rules.RUNNING and not self.stale

    @property
    def percent(self) -> int:
        return rules.percent_done(self.done, self.total)

    @property
    def progress_text(self) -> str:
        return rules.progress_text(self.kind, self.key, self.done, self.total)


def _view(job: Job, now: datetime) -> JobView:
    return JobView(job.id, job.kind, job.key, job.status, job.started_by, job.done, job.total, job.summary,
                   job.started_at, job.heartbeat_at, job.finished_at,
                   job.status == rules.RUNNING and rules.is_stale(job.heartbeat_at, now))


def _check(table: dict[str, Callable[[Actor], None]], actor: Actor, kind: str) -> None:
    check = table.get(kind)
    if check is None:
        raise InvalidInput(f"There is no kind of job called {kind!r}.")
    check(actor)


def _refusal(job: Job, now: datetime, time_zone: str | None = None) -> AlreadyRunning:
    return AlreadyRunning(rules.already_running(job.kind, job.key, job.started_by, job.started_at, job.done,
                                                job.total, now, time_zone), job.id)


def start(actor: Actor, kind: str, key: str, total: int = 0, *, now: datetime | None = None) -> JobView:
    """Claims ``key`` for a new running job, or refuses (``Conflict``) while another run of it is alive."""
    _check(_MAY_RUN, actor, kind)
    now = now or clock.now()
    try:
        with unit_of_work() as session:
            running = session.exec(select(Job).where(Job.running_key == key).with_for_update()).first()
            if running is not None:
                if not rules.is_stale(running.heartbeat_at, now):
                    raise _refusal(running, now, actor.time_zone)
                running.status, running.running_key, running.finished_at = rules.FAILED, None, now
                running.summary = rules.stale_summary(running.heartbeat_at)
                session.add(running)
                session.flush()
            job = Job(kind=kind, key=key, running_key=key, status=rules.RUNNING,
                      started_by_user_id=actor.user_id or None, started_by=actor.full_name, total=max(0, total),
                      started_at=now, heartbeat_at=now)
            session.add(job)
            session.flush()
            return _view(job, now)
    except IntegrityError:
        # Another worker claimed the key between our read and our insert: the unique running key refused ours.
        with unit_of_work(write=False) as session:
            running = session.exec(select(Job).where(Job.running_key == key)).first()
        if running is None:
            raise Conflict(f"Another {rules.subject(kind, key)} started at the same moment; try again.") from None
        raise _refusal(running, now, actor.time_zone) from None


def progress(job_id: int, done: int, total: int | None = None, *, now: datetime | None = None) -> bool:
    """Records how far a running job is (its heartbeat too); False when the job is no longer running."""
    values: dict = {"done": max(0, done), "heartbeat_at": now or clock.now()}
    if total is not None:
        values["total"] = max(0, total)
    with unit_of_work() as session:
        changed = session.execute(
            update(Job).where(Job.id == job_id, Job.status == rules.RUNNING).values(**values)).rowcount
    return changed == 1


def _close(job_id: int, status: str, summary: str, now: datetime | None) -> bool:
    now = now or clock.now()
    with unit_of_work() as session:
        changed = session.execute(
            update(Job).where(Job.id == job_id, Job.status == rules.RUNNING)
            .values(status=status, running_key=None, summary=rules.clip(summary), finished_at=now,
                    heartbeat_at=now)).rowcount
    return changed == 1


def finish(job_id: int, summary: str, *, now: datetime | None = None) -> bool:
    """The job succeeded; ``summary`` is its result. False when it was no longer running (replaced as dead)."""
    return _close(job_id, rules.SUCCEEDED, summary, now)


def fail(job_id: int, message: str, *, now: datetime | None = None) -> bool:
    """The job stopped with ``message``; its key is free again."""
    return _close(job_id, rules.FAILED, message, now)


def get(actor: Actor, job_id: int, *, now: datetime | None = None) -> JobView:
    with unit_of_work(write=False) as session:
        job = session.get(Job, job_id)
    if job is None:
        raise NotFound(JOB_NOT_FOUND)
    _check(_MAY_SEE, actor, job.kind)
    return _view(job, now or clock.now())


def latest(actor: Actor, kind: str, *, now: datetime | None = None) -> JobView | None:
    """For a page: the running job of ``kind`` (the one started first, if several keys run), else the last one."""
    _check(_MAY_SEE, actor, kind)
    with unit_of_work(write=False) as session:
        job = session.exec(select(Job).where(Job.kind == kind, Job.status == rules.RUNNING)
                           .order_by(Job.started_at, Job.id)).first()
        if job is None:
            job = session.exec(select(Job).where(Job.kind == kind)
                               .order_by(Job.started_at.desc(), Job.id.desc())).first()
    return _view(job, now or clock.now()) if job is not None else None


def launch(job_id: int, command: list[str]) -> None:
    """Runs ``opsportal <command>`` for a claimed job in a process of its own, at a lower CPU priority.

    A job's work is CPU-bound Python: in a thread of the backend it would hold the interpreter lock against every
    tab's events; in its own process the operating system serves the backend's events first. The process reports
    through the job row (progress, heartbeat, result), so any worker or host can follow it, and it finishes even
    if the backend that started it stops. Failing to start closes the job at once.
    """
    try:
        child = subprocess.Popen([sys.executable, "-m", "opsportal.cli", *command], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError as exc:
        fail(job_id, f"The job could not be started ({exc.strerror or exc}); try again.")
        raise Conflict("The job could not be started on this server; try again in a minute.") from exc
    # Reaps the child when it ends (no zombie), without holding anyone up.
    threading.Thread(target=child.wait, name=f"opsportal-job-{job_id}", daemon=True).start()
