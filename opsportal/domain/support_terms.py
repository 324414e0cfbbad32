"""The support terms and conditions: versions staff publish, and the acceptance every purchase needs.

A purchase of a plan or add-on carries the version of the terms the buyer ticked ("I accept the support terms
(version N)"); it is accepted only when that is the current (highest published) version, so nobody buys under
terms they were not shown.
"""

from __future__ import annotations

MIN_BODY = 200
MAX_BODY = 100_000
MAX_TITLE = 200
MAX_SUMMARY = 500
DEFAULT_TITLE = "Terms and conditions for K2 support and maintenance"


def acceptance_problem(accepted: int | None, current: int | None) -> str | None:
    """Why a purchase with ``accepted`` (the version ticked, None when not ticked) is refused; None when it may go."""
    if current is None:
        return "The support terms are not published yet, so nothing can be bought; please contact us."
    if accepted is None:
        return f"Read and accept the support terms (version {current}) to buy."
    if isinstance(accepted, bool) or not isinstance(accepted, int) or accepted != current:
        return (f"The support terms have changed to version {current} since you accepted version {accepted}: "
                f"read them and accept version {current} to buy.")
    return None


def terms_problem(title: str, body: str, summary: str = "") -> str | None:
    """Why a new version of the terms cannot be published as written (None when it can)."""
    if not 3 <= len(" ".join((title or "").split())) <= MAX_TITLE:
        return f"Give the terms a title of 3 to {MAX_TITLE} characters."
    text = (body or "").strip()
    if len(text) < MIN_BODY:
        return f"The terms text is too short ({len(text)} characters; at least {MIN_BODY})."
    if len(text) > MAX_BODY:
        return f"The terms text is too long ({len(text):,} characters; at most {MAX_BODY:,})."
    if len(" ".join((summary or "").split())) > MAX_SUMMARY:
        return f"Keep the summary of changes under {MAX_SUMMARY} characters."
    return None
