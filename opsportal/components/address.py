"""Keeps the address bar in step with a page's state without a navigation, in code compiled into the page.

``rx.call_script`` would do it from the backend, but Reflex runs such scripts with ``eval``, which the portal's
Content-Security-Policy refuses (no ``'unsafe-eval'``). This component's hook is part of the built bundle: when the
state's ``version`` changes after the page mounted (each time the page loaded its data), it replaces the current
history entry's address with ``url`` if the tab is still on ``path``.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.vars.base import Var, VarData


class AddressKeeper(rx.Fragment):
    """Renders nothing; see the module docstring."""

    url: rx.Var[str]
    version: rx.Var[int]
    path: str = ""

    def _exclude_props(self) -> list[str]:
        return ["url", "version", "path"]  # read by the hook only; a Fragment takes no props

    def add_imports(self) -> dict:
        return {"react": ["useEffect", "useRef"]}

    def add_hooks(self) -> list[str | Var]:
        ref = f"address_mounted_{self.get_ref() or id(self)}"
        url, version = self.url, self.version
        code = (
            f"const {ref} = useRef(false);\n"
            f"useEffect(() => {{\n"
            f"  if (!{ref}.current) {{ {ref}.current = true; return; }}\n"
            f"  const url = {url!s};\n"
            f"  if (url && window.location.pathname.replace(/\\/$/, '') === {json.dumps(self.path)}\n"
            f"      && window.location.pathname + window.location.search !== url)\n"
            f"    window.history.replaceState(window.history.state, '', url);\n"
            f"}}, [{version!s}]);"
        )
        return [Var(code, _var_data=VarData.merge(url._get_all_var_data(), version._get_all_var_data()))]


address_keeper = AddressKeeper.create
