"""`opsportal mail receive`: hand one received message to the support mailbox (an MTA's pipe transport).

Postfix, for example: ``support unix - n n - - pipe user=opsportal argv=/srv/opsportal/.venv/bin/opsportal mail
receive --from ${sender} --to ${recipient}``. The message is read from standard input (or FILE). A refused message
is logged (staff Mail, Received) and the command still exits 0, so the MTA sends no bounce to a possibly forged
sender; it exits 75 (EX_TEMPFAIL, the MTA retries later) when the portal's database cannot be reached.
"""

from __future__ import annotations

import argparse
import sys

from opsportal.cli.common import emit, fail

EX_TEMPFAIL = 75


def cmd_receive(args: argparse.Namespace) -> None:
    from sqlalchemy.exc import OperationalError

    from opsportal.services import inbound_mail
    from opsportal.settings import get_settings

    limit = get_settings().inbound_mail_max_bytes
    try:
        if args.file:
            with open(args.file, "rb") as handle:
                raw = handle.read(limit + 1)
        else:
            raw = sys.stdin.buffer.read(limit + 1)
    except OSError as exc:
        fail(f"could not read the message: {exc.strerror or exc}")
    try:
        result = inbound_mail.receive(raw, envelope_from=args.sender or "", rcpt_tos=args.to or [])
    except OperationalError as exc:
        fail(f"the database could not be reached ({type(exc).__name__}); try again later", EX_TEMPFAIL)
    emit(args, {"outcome": result.outcome, "reason": result.reason, "ticket_id": result.ticket_id,
                "comment_id": result.comment_id}, f"{result.outcome}: {result.reason}")


def add_commands(groups, common) -> None:
    actions = groups.add_parser("mail", help="the support mailbox (e-mail received from customers)").add_subparsers(
        dest="action", required=True)
    p = actions.add_parser("receive", parents=[common],
                           help="hand one received message (RFC 5322, from stdin or FILE) to the support mailbox")
    p.add_argument("file", nargs="?", metavar="FILE", help="the message (default: standard input)")
    p.add_argument("--from", dest="sender", metavar="ADDRESS", help="the SMTP envelope sender")
    p.add_argument("--to", action="append", metavar="ADDRESS",
                   help="an SMTP envelope recipient (repeat for several; default: the message's To and Cc)")
    p.set_defaults(func=cmd_receive)
