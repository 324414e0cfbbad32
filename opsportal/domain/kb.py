"""Knowledge base rules: what a valid article is, and how text typed by a user becomes a search.

Search text is never handed to a database's query parser as it is: ``parse_query`` keeps only
words (letters and digits), phrases in double quotes and excluded words (``-word``), so any
punctuation a customer types is harmless, and both databases get the same meaning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

KB_CATEGORIES = (
    "Getting help",
    "Accounts & sign-in",
    "Networking & VPN",
    "Email & Outlook",
    "Printing",
    "Devices & laptops",
    "Backup & recovery",
    "Hours & credits",
    "Billing & payments",
)
TITLE_MIN, TITLE_MAX = 5, 200
SLUG_MIN, SLUG_MAX = 3, 80
BODY_MIN, BODY_MAX = 20, 50_000
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

QUERY_MAX_CHARS = 2_000
MAX_TERMS = 16
TERM_MAX_CHARS = 40
# Words that say nothing about the problem; the databases would match them everywhere.
STOPWORDS = frozenset("""
a about after all also am an and any are as at be been before but by can cannot could did do does doing
for from get gets got had has have having he her here hers him his how i if in into is it its just let me
more most my no nor not of off on once only or our ours out over own please same she should so some such
than that the their them then there these they this those through to too under until up us very was we
were what when where which while who why will with would you your yours
""".split())

# Words people put in a ticket that say nothing about which article helps ("it keeps not working").
TICKET_FILLER = frozenset("""
able always anymore anything asap every everything few getting hello help hi issue issues keep keeps need
needs problem problems really since something still thank thanks today tried try trying unable urgent want
work working works yesterday
""".split())

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"([^"]*)"?|(-?)([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """Text as stored: Unicode NFC, Windows line ends made plain, control characters removed."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def slugify(title: str) -> str:
    """An address for a title: lower-case ASCII words joined by hyphens, at most SLUG_MAX long."""
    ascii_text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            break
        slug = candidate
    return slug


def article_problems(*, title: str, slug: str, category: str, body_md: str) -> dict[str, str]:
    """Field -> what is wrong with it (empty when the article is valid). Expects cleaned values."""
    problems = {}
    title = " ".join(title.split())
    if len(title) < TITLE_MIN:
        problems["title"] = f"Give the article a title of at least {TITLE_MIN} characters."
    elif len(title) > TITLE_MAX:
        problems["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not slug:
        problems["slug"] = "Give the article an address (lower-case letters, digits and hyphens)."
    elif len(slug) < SLUG_MIN or len(slug) > SLUG_MAX:
        problems["slug"] = f"The address must be {SLUG_MIN} to {SLUG_MAX} characters long."
    elif not SLUG_PATTERN.match(slug):
        problems["slug"] = "Use only lower-case letters, digits and single hyphens in the address, e.g. reset-password."
    if category not in KB_CATEGORIES:
        problems["category"] = "Choose a category."
    body = body_md.strip()
    if len(body) < BODY_MIN:
        problems["body_md"] = f"Write the article (at least {BODY_MIN} characters)."
    elif len(body) > BODY_MAX:
        problems["body_md"] = f"Keep the article under {BODY_MAX:,} characters."
    return problems


@dataclass(frozen=True)
class Query:
    """What to look for: each term is a tuple of words (one word, or a phrase of several)."""

    terms: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    prefix_last: bool = False  # the last word may still be half typed
    words: tuple[str, ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        return not self.terms


def _words(text: str) -> list[str]:
    return [w.casefold()[:TERM_MAX_CHARS] for w in _WORD.findall(text)]


def parse_query(text: str | None, *, as_typed: bool = False) -> Query:
    """The terms of ``text``: words, "quoted phrases" and -excluded words; never fails.

    Hyphenated or dotted words (Wi-Fi, 2.4) become phrases; apostrophes split words (can't ->
    can, t) and stop words and single letters are dropped. ``as_typed`` is for text a customer is
    still typing, not a search: quotes and minus signs are plain punctuation, ticket filler words
    are dropped too, and the last word counts as a prefix when it has 3+ letters and no space
    follows it yet.
    """
    text = clean_text(text)[:QUERY_MAX_CHARS]
    text = re.sub(r"['\u2019`]", " ", text)
    if as_typed:
        text = text.replace('"', " ")
    terms: list[tuple[str, ...]] = []
    excluded: list[str] = []
    last_token_made_last_term = False
    for match in _TOKEN.finditer(text):
        quoted, minus, bare = match.groups()
        last_token_made_last_term = False
        words = _words(quoted if quoted is not None else bare)
        if quoted is None:
            words = [w for w in words if len(w) > 1 or w.isdigit()]
            if len(words) == 1 and (words[0] in STOPWORDS or (as_typed and words[0] in TICKET_FILLER)):
                words = []
        if not words:
            continue
        if minus and not as_typed and len(words) == 1:
            if words[0] not in excluded:
                excluded.append(words[0])
            continue
        term = tuple(words)
        if term not in terms and len(terms) < MAX_TERMS:
            terms.append(term)
            last_token_made_last_term = quoted is None and len(term) == 1
    prefix_last = (as_typed and last_token_made_last_term and not text[-1:].isspace()
                   and len(terms[-1][0]) >= 3)
    words = tuple(w for term in terms for w in term)
    return Query(terms=tuple(terms), excluded=tuple(excluded[:MAX_TERMS]), prefix_last=prefix_last, words=words)


def fts5_match(query: Query, *, any_term: bool = False) -> str:
    """The query in SQLite FTS5 syntax; every word is quoted, so nothing in it is an operator."""
    parts = []
    for i, term in enumerate(query.terms):
        part = '"' + " ".join(term) + '"'
        if query.prefix_last and i == len(query.terms) - 1:
            part += "*"
        parts.append(part)
    match = (" OR " if any_term else " AND ").join(parts)
    if len(parts) > 1 and query.excluded:
        match = f"({match})"
    for word in query.excluded:
        match += f' NOT "{word}"'
    return match


def tsquery(query: Query, *, any_term: bool = False) -> str:
    """The query in PostgreSQL ``to_tsquery`` syntax; words hold only letters and digits."""
    parts = []
    for i, term in enumerate(query.terms):
        part = " <-> ".join(term)
        if len(term) > 1:
            part = f"({part})"
        if query.prefix_last and i == len(query.terms) - 1:
            part += ":*"
        parts.append(part)
    match = (" | " if any_term else " & ").join(parts)
    if len(parts) > 1 and query.excluded:
        match = f"({match})"
    for word in query.excluded:
        match += f" & !{word}"
    return match


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_LINK_REST = re.compile(r"\]\([^)\s]*\)?|[\[\]]")
_MD_HEADING = re.compile(r"(^|\n)[ \t]*#+[ \t]*([^\n]*?)[ \t]*#*[ \t]*(?=\n|$)")
_MD_LIST = re.compile(r"(^|\n)[ \t]*(?:[-+*]|\d+[.)])[ \t]+")
_MD_MARKS = re.compile(r"[#*`>|~]|(?<!\w)_|_(?!\w)")


def plain_excerpt(markdown: str) -> str:
    """Markdown made readable as one line of plain text (for search-result snippets)."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_LINK_REST.sub("", text)  # a link cut in half by a snippet
    # A heading reads as a lead-in to what follows it: "Mailbox full: When the mailbox ..."
    text = _MD_HEADING.sub(lambda m: m[1] + m[2] + ("" if m[2][-1:] in ".:?!" else ":"), text)
    text = _MD_LIST.sub(r"\1", text)
    text = _MD_MARKS.sub("", text)
    return " ".join(text.split())
