"""What a person wrote in an e-mail reply, without what their mail client added: the quoted message they
answered, the attribution line above it, their signature and the "Sent from my phone" line.

Mail clients write these differently: Gmail and Apple Mail put "On <date>, <name> wrote:" (sometimes folded over
two lines) above lines starting with ">"; Outlook puts a "From: ... Sent: ... To: ... Subject: ..." block (or an
"-----Original Message-----" line) above the unquoted original; a signature starts with the "-- " separator line.
Our own e-mails carry a marker line (``REPLY_MARKER``) at their top, so whatever sits below it in a reply is
quoted whatever the client did. Pure text in, text out.
"""

from __future__ import annotations

import re

# The first line of every ticket e-mail: everything from it down in a reply is the quoted original.
REPLY_MARKER = "##- Please type your reply above this line -##"

_MARKER = re.compile(r"^[>\s]*##-\s*Please type your reply above this line\s*-##", re.IGNORECASE)
# "On Tue, 3 Dec 2026 at 09:05, Ann <ann@x.example> wrote:", "Am ... schrieb ...:", "Le ... a écrit :"
_ATTRIBUTION = re.compile(r"^\s*(On\s.+\swrote|Am\s.+\sschrieb|Le\s.+\sa\s+écrit|El\s.+\sescribió)\s*:\s*$",
                          re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(On|Am|Le|El)\s.+", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r".*\s(wrote|schrieb|a\s+écrit|escribió)\s*:\s*$", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(r"^\s*[-_]{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht)"
                               r"\s*[-_]{2,}\s*$", re.IGNORECASE)
# Outlook's header block of the answered message (plain or bold in a text rendering).
_OUTLOOK_FROM = re.compile(r"^\s*\**(From|Von|De)\s*:\**\s+\S", re.IGNORECASE)
_OUTLOOK_FIELD = re.compile(r"^\s*\**(Sent|Date|To|Subject|Cc|Gesendet|An|Betreff|Envoyé|À|Objet)\s*:\**",
                            re.IGNORECASE)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE = re.compile(r"^\s*(Sent from my (iPhone|iPad|Android|phone|mobile|Galaxy|BlackBerry).*|"
                     r"Sent from (Outlook|Mail|Yahoo Mail|Gmail)( for (iOS|Android|Windows))?.*|"
                     r"Get Outlook for (iOS|Android).*|Von meinem iPhone gesendet.*|Envoyé de mon iPhone.*)\s*$",
                     re.IGNORECASE)


def _quoted_from(lines: list[str]) -> int:
    """Index of the first line that belongs to the quoted original (len(lines) if none)."""
    for i, line in enumerate(lines):
        if _MARKER.match(line) or _ORIGINAL_MESSAGE.match(line) or _ATTRIBUTION.match(line):
            return i
        # An attribution folded over two or three lines by the client.
        if _ATTRIBUTION_START.match(line) and not _ATTRIBUTION_END.match(line):
            joined = line
            for j in range(i + 1, min(i + 3, len(lines))):
                joined += " " + lines[j].strip()
                if _ATTRIBUTION.match(joined):
                    return i
        if _OUTLOOK_FROM.match(line) and sum(bool(_OUTLOOK_FIELD.match(n)) for n in lines[i + 1:i + 5]) >= 2:
            # Outlook often draws a line of underscores just above the block.
            return i - 1 if i and _UNDERSCORES.match(lines[i - 1]) else i
        if line.lstrip().startswith(">") and all(not n.strip() or n.lstrip().startswith(">") for n in lines[i:]):
            return i  # a trailing block of quoted lines, with no attribution
    return len(lines)


def _signature_from(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if _SIGNATURE.match(line) or _MOBILE.match(line):
            return i
    return len(lines)


def strip_reply(text: str) -> str:
    """The new text of a reply: above the quoted original, without the signature or the mobile footer.

    Interleaved answers (text between quoted lines) keep the author's lines and drop the quoted ones.
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = lines[:_quoted_from(lines)]
    lines = [line for line in lines if not line.lstrip().startswith(">")]
    lines = lines[:_signature_from(lines)]
    out = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()
