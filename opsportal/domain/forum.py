"""The K2 Community forum as pure rules: who may read and post, who may accept, vote and moderate, what a valid
question or answer is, how authors are named across organizations, and Markdown made safe to render.

The forum is shared by every organization with active Gold (seed 001: Gold "grants access to the ... K2
Community"); staff always have access. Votes are up-votes only (one per user and post, taken back by voting
again; never on one's own post): a community of customers of one vendor needs "this helped" more than a way to
push each other down.

Editing and deleting (``edit_problem``, ``question_delete_problem``, ``answer_delete_problem``): only a post's
author edits or deletes it; staff moderate other people's posts (hide with a reason) rather than rewrite them. An
edit is marked "edited" with its time. A locked thread is frozen: its posts are neither edited nor deleted. A
question with answers stays (deleting it would take other people's answers with it; its author asks the support
team to hide it), and so does a question that became a support ticket (the ticket links to it). An accepted answer
stays while it is accepted: the asker chose it as what solved their question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsportal.domain.kb import clean_text

TITLE_MIN, TITLE_MAX = 10, 150
QUESTION_MIN, QUESTION_MAX = 20, 20_000
ANSWER_MIN, ANSWER_MAX = 2, 20_000
REASON_MIN, REASON_MAX = 3, 300
CATEGORY_NAME_MIN, CATEGORY_NAME_MAX = 3, 60
CATEGORY_DESCRIPTION_MAX = 300

NO_ACCESS = ("The K2 Community is part of Gold Support. Your organization has no active Gold Support term, so "
             "you cannot read or post in the community yet.")
LOCKED = "This thread is locked: it takes no new answers."
ONLY_ASKER_ACCEPTS = "Only the person who asked, or the support team, can accept an answer."
OWN_POST_VOTE = "You cannot vote on your own post."
STAFF_ONLY = "Only the support team moderates the community."

NOT_AUTHOR = "Only its author can edit or delete a post."
NOT_AUTHOR_STAFF = "Only its author can edit or delete a post; the support team hides a post with a reason instead."
LOCKED_POSTS = "This thread is locked: its posts can no longer be edited or deleted."
ACCEPTED_STAYS = ("This answer is accepted, so it cannot be deleted: the asker chose it as what solved their "
                  "question. You can still edit it.")

STAFF_PICK = "staff_pick"  # a staff mark on an answer ("Staff pick"); staff-written answers read "Answered by support"


@dataclass(frozen=True)
class Reader:
    """Who is reading or posting, as the rules need them."""

    user_id: int
    is_staff: bool
    has_gold: bool  # their organization holds active Gold today (ignored for staff)


def may_enter(reader: Reader) -> bool:
    """Staff always; customers while their organization's Gold is active."""
    return reader.is_staff or reader.has_gold


def may_see_hidden(reader: Reader) -> bool:
    """Hidden posts are shown to staff (marked, with the reason) and to nobody else, their author included."""
    return reader.is_staff


def may_accept(reader: Reader, *, asker_user_id: int | None) -> bool:
    """The asker chooses the accepted answer; staff may choose (or change) it for them."""
    return reader.is_staff or (asker_user_id is not None and reader.user_id == asker_user_id)


def may_moderate(reader: Reader) -> bool:
    return reader.is_staff


def vote_problem(reader: Reader, *, author_user_id: int | None, hidden: bool) -> str | None:
    """Why ``reader`` may not up-vote a post, or None when they may."""
    if author_user_id is not None and reader.user_id == author_user_id:
        return OWN_POST_VOTE
    if hidden:
        return "This post is hidden and takes no votes."
    return None


def edit_problem(reader: Reader, *, author_user_id: int | None, locked: bool) -> str | None:
    """Why ``reader`` may not edit a post (a question or an answer), or None when they may."""
    if author_user_id is None or reader.user_id != author_user_id:
        return NOT_AUTHOR_STAFF if reader.is_staff else NOT_AUTHOR
    if locked:
        return LOCKED_POSTS
    return None


def question_delete_problem(reader: Reader, *, author_user_id: int | None, locked: bool, answers: int,
                            ticket_id: int | None) -> str | None:
    """Why ``reader`` may not delete a question, or None when they may. ``answers``: those its author can see."""
    problem = edit_problem(reader, author_user_id=author_user_id, locked=locked)
    if problem:
        return problem
    if answers > 0:
        counted = "an answer" if answers == 1 else f"{answers} answers"
        return (f"This question has {counted}, so it cannot be deleted: the answers would go with it. Edit it "
                "instead, or ask the support team to hide it (open a support ticket and name the question).")
    if ticket_id is not None:
        return (f"This question became support ticket #{ticket_id}, which links to it, so it cannot be deleted. "
                "Edit it instead, or ask the support team to hide it.")
    return None


def answer_delete_problem(reader: Reader, *, author_user_id: int | None, locked: bool, accepted: bool
                          ) -> str | None:
    """Why ``reader`` may not delete an answer, or None when they may."""
    problem = edit_problem(reader, author_user_id=author_user_id, locked=locked)
    if problem:
        return problem
    if accepted:
        return ACCEPTED_STAYS
    return None


def may_edit(reader: Reader, *, author_user_id: int | None, locked: bool) -> bool:
    """Whether the page offers "Edit" (and "Delete", whose own refusals it explains when tried)."""
    return edit_problem(reader, author_user_id=author_user_id, locked=locked) is None


def answer_problem(*, locked: bool, question_hidden: bool) -> str | None:
    """Why a question takes no new answer now, or None when it does."""
    if question_hidden:
        return "That question was not found."
    if locked:
        return LOCKED
    return None


def tidy_title(value: str | None) -> str:
    return " ".join(clean_text(value).split())


def tidy_body(value: str | None) -> str:
    return "\n".join(line.rstrip() for line in clean_text(value).strip().split("\n"))


def question_problems(title: str, body: str) -> dict[str, str]:
    """Field -> what is wrong (empty when valid); expects ``tidy_title``/``tidy_body`` values."""
    problems = {}
    if len(title) < TITLE_MIN:
        problems["title"] = f"Give your question a title of at least {TITLE_MIN} characters."
    elif len(title) > TITLE_MAX:
        problems["title"] = f"Keep the title under {TITLE_MAX} characters."
    if len(body) < QUESTION_MIN:
        problems["body"] = f"Describe your question (at least {QUESTION_MIN} characters)."
    elif len(body) > QUESTION_MAX:
        problems["body"] = f"Keep the question under {QUESTION_MAX:,} characters."
    return problems


def answer_body_problem(body: str) -> str | None:
    if len(body) < ANSWER_MIN:
        return "Write your answer first."
    if len(body) > ANSWER_MAX:
        return f"Keep an answer under {ANSWER_MAX:,} characters."
    return None


def reason_problem(reason: str) -> str | None:
    if len(reason) < REASON_MIN:
        return "Say why the post is hidden (the author's organization may ask)."
    if len(reason) > REASON_MAX:
        return f"Keep the reason under {REASON_MAX} characters."
    return None


def category_problems(name: str, description: str) -> dict[str, str]:
    problems = {}
    if not CATEGORY_NAME_MIN <= len(name) <= CATEGORY_NAME_MAX:
        problems["name"] = f"Name the category in {CATEGORY_NAME_MIN} to {CATEGORY_NAME_MAX} characters."
    if len(description) > CATEGORY_DESCRIPTION_MAX:
        problems["description"] = f"Keep the description under {CATEGORY_DESCRIPTION_MAX} characters."
    return problems


def author_label(full_name: str | None, organization: str | None, *, from_staff: bool) -> str:
    """How an author is named to the whole community: first name and organization, never a surname or an e-mail
    address (the forum is read by other companies). Staff read as the support team."""
    first = next(iter((full_name or "").split()), "")
    if "@" in first:  # a name that is an address says too much
        first = ""
    first = first or "A member"
    if from_staff:
        return f"{first} · K2 Support"
    return f"{first} · {organization}" if organization else first


# --- Markdown made safe -------------------------------------------------------------------------------------

_SAFE_SCHEMES = ("http:", "https:", "mailto:")
# A destination may hold balanced parentheses one level deep, as CommonMark reads "javascript:alert(1)".
_INLINE_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+(\"[^\"]*\"|'[^']*'))?\s*\)")
# Whatever the pattern above could not read: "](" then a destination that is not safe loses its link syntax.
_LEFTOVER_LINK = re.compile(r"\]\((?=\s*<?([^\s)>]*))")
_REFERENCE = re.compile(r"^( {0,3}\[[^\]]+\]:\s*)<?(\S+?)>?(\s.*)?$", re.MULTILINE)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>")
# A tag name then a space, "/" or ">": ``<https://example.com>`` is an autolink, not a tag.
_HTML_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9\-]*(?:[\s/][^>]*)?|![^>]*|\?[^>]*)>")


def safe_url(url: str) -> bool:
    """Only web and mail addresses, and paths of this site: no ``javascript:``, ``data:``, ``vbscript:``..."""
    compact = re.sub(r"[\x00-\x20\\]", "", url).lower()
    if compact.startswith("//"):
        return False  # protocol-relative: another site pretending to be a path
    if compact.startswith(("/", "#", "?")):
        return True
    scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", compact)
    if scheme is None:
        return ":" not in compact.split("/", 1)[0]  # a relative path such as "kb/reset-password"
    return compact.startswith(_SAFE_SCHEMES)


def _inline(match: re.Match) -> str:
    bang, text, url, title = match.groups()
    if bang:  # images would load from anywhere: a plain link to them instead
        return f"[{text or 'image'}]({url})" if safe_url(url) else (text or "image")
    if not safe_url(url):
        return text
    return match[0]


def _reference(match: re.Match) -> str:
    return match[0] if safe_url(match[2]) else ""


def _autolink(match: re.Match) -> str:
    return match[0] if safe_url(match[1]) else match[1].replace(":", "\u200b:", 1)


def safe_markdown(markdown: str) -> str:
    """Markdown a user wrote, made safe to render for others: links keep only web, mail and site addresses (the
    text of any other stays), images become links, and HTML tags are shown as text, never run."""
    text = clean_text(markdown)
    text = _INLINE_LINK.sub(_inline, text)
    text = _REFERENCE.sub(_reference, text)
    text = _AUTOLINK.sub(_autolink, text)
    text = _LEFTOVER_LINK.sub(lambda m: m[0] if safe_url(m[1]) else "] (", text)
    return _HTML_TAG.sub(lambda m: "&lt;" + m[1] + "&gt;", text)
