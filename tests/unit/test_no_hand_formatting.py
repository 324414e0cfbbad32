"""Pages, e-mail templates, CSV writers and services format money, dates, instants and durations only through
``opsportal.domain.formats``: a ``strftime``, a date format in an f-string, cents written by hand or a call to one of
the old helpers is listed here as an offence (file, line and text)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("opsportal/state", "opsportal/pages", "opsportal/components", "opsportal/services", "opsportal/api",
           "opsportal/templates")

OFFENCES = {
    # SQL's own strftime (func.strftime) groups rows; it writes nothing a person reads.
    "strftime": re.compile(r"(?<!func\.)\bstrftime\("),
    "date format in an f-string": re.compile(r"\{[^{}\n]*:%[A-Za-z][^{}\n]*\}"),
    "money written by hand": re.compile(r":,\}\.(?:\{|\d)|\}\.\{[^{}\n]*:02d?\}"),
    "old formatting helper": re.compile(r"\b(?:format_money|format_quantity|format_amount|format_day)\("),
    "number or date filter in a template": re.compile(r"\|\s*(?:format|round|strftime|float)\b|%\.\d+f"),
}

# Files allowed to format by hand while they are being converted (none now: keep it that way).
ALLOWED: set[str] = set()


def offences() -> dict[str, list[str]]:
    """Per file (relative to the repository): ``line N: what: text`` for each hand-formatted value."""
    found: dict[str, list[str]] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for what, pattern in OFFENCES.items():
                    if pattern.search(line):
                        found.setdefault(path.relative_to(ROOT).as_posix(), []).append(
                            f"line {number}: {what}: {line.strip()}")
    return found


def test_no_page_template_csv_writer_or_service_formats_money_dates_or_durations_by_hand():
    listed = [f"{name} {offence}" for name, lines in sorted(offences().items()) if name not in ALLOWED
              for offence in lines]
    assert listed == [], "format through opsportal.domain.formats instead:\n" + "\n".join(listed)


def test_the_allow_list_names_only_files_that_still_format_by_hand():
    converted = sorted(ALLOWED - set(offences()))
    assert converted == [], f"these files no longer format by hand: remove them from ALLOWED: {converted}"


def test_the_scan_catches_each_kind_of_hand_formatting():
    samples = {
        "strftime": 'when = value.strftime("%d %b %Y")',
        "date format in an f-string": 'text = f"{at:%d %b %Y %H:%M} UTC"',
        "money written by hand": 'return f"{sign}{units:,}.{cents:02d}"',
        "old formatting helper": "price = format_money(minor, currency)",
        "number or date filter in a template": "{{ amount|round(2) }}",
    }
    for what, line in samples.items():
        assert OFFENCES[what].search(line), what
    for clean in ('month = func.strftime("%Y-%m", LedgerEntry.at)', 'f"at most {MAX_QUANTITY:,}."',
                  "formats.money(minor, currency)", 'f"{formats.instant(at, zone)}"'):
        assert not any(p.search(clean) for p in OFFENCES.values()), clean
