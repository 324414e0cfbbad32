"""The portal's Content-Security-Policy has no 'unsafe-eval': nothing may send the browser code to evaluate."""

from __future__ import annotations

import re
from pathlib import Path

import opsportal

# Reflex runs these with eval() in the browser (.web/utils/state.js), which the policy refuses.
EVALUATED = re.compile(r"\brx\.(call_script|call_function|run_script)\(|\bcall_script\(")


def test_no_module_of_the_portal_sends_the_browser_a_script_to_evaluate():
    package = Path(opsportal.__file__).parent
    offenders = [f"{path.relative_to(package)}:{number}" for path in sorted(package.rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if EVALUATED.search(line) and not line.lstrip().startswith("#")]
    assert offenders == [], "use code compiled into the page instead (components/address.py): " + ", ".join(offenders)
