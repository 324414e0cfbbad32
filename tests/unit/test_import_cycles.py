"""No import cycles among the services or the domain: a module never needs, even from inside a function, a
module that needs it back. (Imports under ``if TYPE_CHECKING:`` are for annotations only and do not count.)"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "opsportal"
LAYERS = ("domain", "services")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for layer in LAYERS for p in (PACKAGE / layer).rglob("*.py")}


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(node: ast.AST) -> set[str]:
    """The project modules ``node`` imports, wherever they stand (module level, function bodies)."""
    found: set[str] = set()
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            continue
        if isinstance(child, ast.Import):
            found.update(alias.name for alias in child.names if alias.name in MODULES)
        elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
            submodules = {f"{child.module}.{alias.name}" for alias in child.names} & MODULES.keys()
            found.update(submodules or ({child.module} & MODULES.keys()))
        found |= _imports(child)
    return found


def import_graph() -> dict[str, set[str]]:
    return {name: _imports(ast.parse(path.read_text(), filename=str(path))) - {name}
            for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_imports_inside_functions_but_not_those_for_type_checking_only():
    late = ast.parse("def f():\n    from opsportal.services import plans\n")
    typing_only = ast.parse("if TYPE_CHECKING:\n    from opsportal.services import plans\n")
    assert (_imports(late), _imports(typing_only)) == ({"opsportal.services.plans"}, set())
    graph = import_graph()
    assert "opsportal.services.invoice_events" in graph["opsportal.services.invoice_staff"]
    assert "opsportal.domain.invoices.lifecycle" in graph["opsportal.domain.invoices"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_services_and_domain_have_no_import_cycles():
    assert cycles(import_graph()) == []


BILLING_WORDS = ("invoice", "payment", "checkout", "billing", "plan", "incident", "stripe")


def test_billing_services_import_no_other_service_inside_a_function():
    """Invoices, payments, plans and incidents state what they need at the top: a late import hid a cycle."""
    late: list[str] = []
    for name, path in MODULES.items():
        if not name.startswith("opsportal.services.") or not any(w in name.rsplit(".", 1)[1] for w in BILLING_WORDS):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                late += [f"{name}.{node.name} imports {target}" for target in sorted(_imports(node))
                         if target.startswith("opsportal.services")]
    assert late == []
