"""What every `opsportal` command shares: the parser that reports a usage error in one line, argument types,
the output (a sentence, or with --json exactly one JSON object), the actor commands act as, and the error exit.

Errors go to stderr as one line (``opsportal: error: ...``) and the exit status is non-zero; a failed command
changes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from opsportal.services.authz import Actor

EXIT_ERROR = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A usage problem found by a command itself (exit 2, like argparse's)."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2)."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Ends the command: ``opsportal: error: <message>`` on stderr, exit status ``code``."""
    print(f"opsportal: error: {message}", file=sys.stderr)
    raise SystemExit(code)


# --- argument types ----------------------------------------------------------------------------------------------


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def iso_instant(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date or time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None


def port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {value!r}")
    return number


# --- who the commands act as ---------------------------------------------------------------------------------------


def operator() -> Actor:
    """The actor every command acts as: the operator at the server (a staff administrator)."""
    from opsportal.services.operator import OPERATOR

    return OPERATOR


def organization_id(name: str) -> int:
    """The id of the organization named ``name`` (any case); an unknown name fails the command."""
    from opsportal.services.organizations import resolve_id

    return resolve_id(operator(), name)


# --- output ----------------------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def emit(args: argparse.Namespace, payload: dict, text: str) -> None:
    """With --json, ``payload`` as one JSON object; else ``text``."""
    if args.json:
        print(json.dumps(_jsonable(payload), sort_keys=True))
    else:
        print(text)
