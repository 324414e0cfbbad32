"""Reflex runs every event handler on the backend's event loop: a state never calls a service there.

A service reads the database, asks Stripe or talks to the mail server; on the event loop that stalls every tab
the worker serves. So a handler only *names* a service and hands it to a worker thread:
``await offload.run(kb.search, actor, ...)``, or ``await offload.run(self._load, actor)`` where ``_load`` calls
the services (``run_as_actor`` does the same).

This reads ``opsportal/state/*.py`` (ast) and follows what runs on the loop: every ``async def`` and every plain
``@rx.event`` or ``@rx.var`` method, and whatever plain function they call directly: ``self._x(...)`` (also on a
base state in these modules), a function of a state module, a nested ``def``. A nested ``def`` or lambda that is
only passed on (to ``offload.run``, ``run_as_actor``) is not followed; calling a callable one was given is counted
as running it on the loop, since the caller cannot tell it does no I/O. What a service module offers without I/O
is listed in ``NO_IO``.
"""

from __future__ import annotations

import ast
import functools
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

STATE = Path(__file__).resolve().parents[2] / "opsportal" / "state"
SERVICES = "opsportal.services"
STATES = "opsportal.state"

# Service functions that do no I/O (pure rules, the settings, this worker's memory): allowed on the loop.
NO_IO = {
    "opsportal.services.auth.recent_actor",  # this worker's session cache
    "opsportal.services.audit.set_client_address",  # a context variable of the event's own task
    "opsportal.services.auth.session_id_of",  # the token's signature, checked in memory
    "opsportal.services.authz.may_manage",  # the access rule on the actor the handler already holds
    "opsportal.services.authz.may_view",
    "opsportal.services.errors.sentence",
    "opsportal.services.incidents.window_text",
    "opsportal.domain.roles.may_request_incident",
    "opsportal.services.tasks.comment_window",
}

# Modules whose handlers still call services on the loop; their owners convert them (issue 11). Strict: a module
# that no longer does fails here until it is taken off this list.
NOT_YET_CONVERTED: set[str] = set()


@dataclass
class Module:
    name: str  # "opsportal.state.kb"
    tree: ast.Module
    services: dict[str, str] = field(default_factory=dict)  # local name -> service module, or module.function
    states: dict[str, str] = field(default_factory=dict)  # local name -> state module, or module.function
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)


def _parse(name: str, source: str) -> Module:
    tree = ast.parse(source)
    module = Module(name, tree)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local, full = alias.asname or alias.name, f"{node.module}.{alias.name}"
                if node.module == SERVICES or node.module.startswith(SERVICES + "."):
                    module.services[local] = full
                elif node.module == STATES or node.module.startswith(STATES + "."):
                    module.states[local] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(SERVICES + ".") and alias.asname:
                    module.services[alias.asname] = alias.name
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            module.functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            module.classes[node.name] = node
    return module


@functools.cache
def _is_service_module(full: str) -> bool:
    try:
        importlib.import_module(full)
    except ImportError:
        return False
    return True


def _decorated(fn: ast.FunctionDef | ast.AsyncFunctionDef, *names: str) -> bool:
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "rx" \
                and target.attr in names:
            return True
    return False


class LoopCalls:
    """Finds service calls that run on the event loop, over a set of state modules."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = modules
        self.problems: list[str] = []
        self._seen: set[int] = set()

    # --- resolving what a call runs -------------------------------------------------------------------------

    def _method(self, module: Module, cls: ast.ClassDef, name: str):
        for node in cls.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return module, cls, node
        for base in cls.bases:  # a mixin or base state defined in these modules
            base_name = base.id if isinstance(base, ast.Name) else None
            if base_name in module.classes:
                found = self._method(module, module.classes[base_name], name)
                if found:
                    return found
            elif base_name in module.states:
                owner, _, cls_name = module.states[base_name].rpartition(".")
                other = self.modules.get(owner)
                if other and cls_name in other.classes:
                    found = self._method(other, other.classes[cls_name], name)
                    if found:
                        return found
        return None

    def _state_function(self, full: str):
        owner, _, fn = full.rpartition(".")
        other = self.modules.get(owner)
        if other and fn in other.functions:
            return other, None, other.functions[fn]
        return None

    def _service(self, module: Module, func: ast.expr) -> str | None:
        """The service function a call's target names, if it is one."""
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in module.services:
            full = module.services[func.value.id]
            if _is_service_module(full) and func.attr[:1].islower():  # a function, not a class
                return f"{full}.{func.attr}"
        if isinstance(func, ast.Name) and func.id in module.services:
            full = module.services[func.id]
            if not _is_service_module(full) and func.id[:1].islower():  # a function, not a class or constant
                return full
        return None

    # --- walking --------------------------------------------------------------------------------------------

    def check(self, module: Module, cls: ast.ClassDef | None, fn, where: str) -> None:
        if id(fn) in self._seen:
            return
        self._seen.add(id(fn))
        params = {a.arg for a in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs}
        nested = {}
        awaited = set()
        aliases = {}  # local names bound to a service function: use = notifications.unsubscribe_by_token
        for node in self._body_nodes(fn):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                nested[node.name] = node
            elif isinstance(node, ast.Await):
                awaited.add(id(node.value))
            elif isinstance(node, ast.Assign) and not isinstance(node.value, ast.Call):
                named = [s for s in map(lambda n: self._service(module, n), ast.walk(node.value)) if s]
                for target in node.targets:
                    if named and isinstance(target, ast.Name):
                        aliases[target.id] = named[0]
        for node in self._body_nodes(fn):
            if not isinstance(node, ast.Call):
                continue
            label = f"{where} (line {node.lineno})"
            service = self._service(module, node.func)
            if service is None and isinstance(node.func, ast.Name) and node.func.id in aliases:
                service = aliases[node.func.id]
            if service is not None:
                if service not in NO_IO:
                    self.problems.append(f"{label} calls {service} on the event loop")
                continue
            target = self._resolve(module, cls, node.func, nested)
            if target is not None:
                t_module, t_cls, t_fn = target
                if isinstance(t_fn, ast.FunctionDef):  # a coroutine function is checked on its own
                    self.check(t_module, t_cls, t_fn, f"{where} -> {t_fn.name}")
            elif isinstance(node.func, ast.Name) and node.func.id in params and id(node) not in awaited:
                self.problems.append(f"{label} runs the callable {node.func.id!r} it was given on the event loop")

    def _resolve(self, module: Module, cls, func: ast.expr, nested: dict):
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == "self" and cls is not None:
                return self._method(module, cls, func.attr)
            if func.value.id in module.states:  # a function of another state module: task_views.task_row(...)
                return self._state_function(f"{module.states[func.value.id]}.{func.attr}")
        if isinstance(func, ast.Name):
            if func.id in nested:
                return module, cls, nested[func.id]
            if func.id in module.functions:
                return module, None, module.functions[func.id]
            if func.id in module.states:
                return self._state_function(module.states[func.id])
        return None

    @staticmethod
    def _body_nodes(fn):
        """The nodes that run when ``fn`` runs: nested functions and lambdas are yielded, their bodies are not."""
        stack = list(reversed(fn.body))
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            stack.extend(reversed(list(ast.iter_child_nodes(node))))

    def roots(self, module: Module):
        """(class, function, label) for what Reflex or an event starts on the loop."""
        short = module.name.rsplit(".", 1)[-1]
        for fn in module.functions.values():
            if isinstance(fn, ast.AsyncFunctionDef):
                yield None, fn, f"{short}.{fn.name}"
        for cls in module.classes.values():
            for fn in cls.body:
                if isinstance(fn, ast.AsyncFunctionDef) or (
                        isinstance(fn, ast.FunctionDef) and _decorated(fn, "event", "var")):
                    yield cls, fn, f"{short}.{cls.name}.{fn.name}"


def _all_modules() -> dict[str, Module]:
    return {f"{STATES}.{p.stem}": _parse(f"{STATES}.{p.stem}", p.read_text()) for p in sorted(STATE.glob("*.py"))}


def problems_of(module_name: str, modules: dict[str, Module]) -> list[str]:
    finder = LoopCalls(modules)
    module = modules[module_name]
    for cls, fn, label in finder.roots(module):
        finder.check(module, cls, fn, label)
    return finder.problems


STATE_FILES = sorted(p.name for p in STATE.glob("*.py"))


@pytest.mark.parametrize("filename", [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason="not converted yet (issue 11)"))
    if f in NOT_YET_CONVERTED else f for f in STATE_FILES])
def test_a_state_module_calls_services_only_through_a_worker_thread(filename):
    problems = problems_of(f"{STATES}.{filename[:-3]}", _all_modules())
    assert problems == [], "hand these to offload.run:\n" + "\n".join(problems)


def test_every_module_waiting_for_conversion_exists():
    assert NOT_YET_CONVERTED <= set(STATE_FILES)


def test_every_service_function_allowed_on_the_event_loop_exists():
    for full in NO_IO:
        owner, _, name = full.rpartition(".")
        assert callable(getattr(importlib.import_module(owner), name)), full


SAMPLE = '''
import reflex as rx
from opsportal.services import kb
from opsportal.services.kb import search
from opsportal.state import offload


class S(rx.State):
    def _load(self, actor):
        self.hits = kb.search(actor, "q")

    def _pure(self):
        return 1

    @rx.event
    async def good(self):
        self._pure()
        await offload.run(self._load, None)
        await offload.run(kb.search, None, "q")

        def work(actor):
            kb.search(actor, "q")
        await offload.run(work, None)
        await offload.run(lambda: kb.search(None, "q"))

    @rx.event
    async def direct(self):
        kb.search(None, "q")

    @rx.event
    async def through_a_helper(self):
        self._load(None)

    @rx.event
    async def imported_by_name(self):
        search(None, "q")

    @rx.event
    def plain_event(self):
        kb.search(None, "q")

    @rx.var
    def computed(self) -> str:
        return kb.search(None, "q")

    @rx.event
    async def nested_then_called(self):
        def work():
            kb.search(None, "q")
        work()

    async def _run(self, work):
        work(None)

    @rx.event
    async def through_a_local_name(self, again: bool):
        use = kb.search if again else kb.suggest
        use(None, "q")

    @rx.event
    async def local_name_handed_off(self, again: bool):
        use = kb.search if again else kb.suggest
        await offload.run(use, None, "q")
'''


def test_the_check_finds_each_way_a_service_can_run_on_the_event_loop():
    modules = {f"{STATES}.sample": _parse(f"{STATES}.sample", SAMPLE)}
    found = {line.split(" ", 1)[0].rsplit(".", 1)[-1] for line in problems_of(f"{STATES}.sample", modules)}
    assert found == {"direct", "through_a_helper", "imported_by_name", "plain_event", "computed",
                     "nested_then_called", "_run", "through_a_local_name"}
