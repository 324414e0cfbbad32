"""Pages and components draw controls with the theme's colour tokens (``forms.CONTROL_COLORS``), never a
hard-coded light background: under the dark appearance the inherited text is light, so a white control is
unreadable (WCAG AA contrast)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "opsportal"
LIGHT = {"white", "#fff", "#ffffff"}
BACKGROUND_KEYS = {"background", "background_color", "backgroundColor", "bg"}
# The mail preview's iframe shows an e-mail's own (light) HTML, as a mail client would.
ALLOWED = {"pages/staff_mail.py"}


def _light_backgrounds(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        pairs = []
        if isinstance(node, ast.Dict):
            pairs = [(k.value, v) for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)]
        elif isinstance(node, ast.Call):
            pairs = [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
        lines += [v.lineno for k, v in pairs if k in BACKGROUND_KEYS and isinstance(v, ast.Constant)
                  and isinstance(v.value, str) and v.value.strip().lower() in LIGHT]
    return lines


def test_no_page_or_component_hard_codes_a_white_background_that_dark_mode_cannot_read():
    found = {str(p.relative_to(PACKAGE)): lines for layer in ("pages", "components")
             for p in sorted((PACKAGE / layer).rglob("*.py"))
             if (lines := _light_backgrounds(p)) and str(p.relative_to(PACKAGE)) not in ALLOWED}
    assert found == {}
