"""Gold Support is held per organization: what a subsidiary is told when its parent holds Gold and it does not.

Support plans have no shared scope (DESIGN.md's sharing rules are for credit lots only): a parent's Gold covers the
parent, never its subsidiaries. A user of a subsidiary without Gold whose ancestor holds it would otherwise assume
they are covered, so every page gated on Gold (the K2 Community, software downloads) tells them precisely, in the
same words: Gold is per organization, the ancestor's does not cover them, and who in their own organization can buy
it (those who may buy plans get a link to the Support plan page; others are told to ask their owner).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoldElsewhere:
    """What to tell a customer whose organization lacks Gold while an ancestor holds it."""

    message: str  # the whole explanation, ending with who can buy it
    buy_link: bool  # True: offer the Support plan page (the reader may buy plans for their organization)


def _names(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def gold_elsewhere(*, organization: str, holder: str | None, may_buy: bool, owners: tuple[str, ...] = ()
                   ) -> GoldElsewhere | None:
    """The notice for a customer of ``organization`` (which has no active Gold) when ``holder``, its nearest
    ancestor with active Gold, exists; None when no ancestor holds Gold (the ordinary "get Gold" offer applies).

    ``may_buy``: the reader may buy plans for their organization; ``owners``: the names of its owners, for the
    others to ask (at most three are named)."""
    if not holder:
        return None
    scope = (f"Gold Support is held per organization: {holder} holds Gold Support, but it covers {holder} only, "
             f"not {organization}.")
    if may_buy:
        return GoldElsewhere(f"{scope} You can buy Gold Support for {organization} on the Support plan page.", True)
    named = _names(tuple(n for n in owners if n)[:3])
    ask = f"Ask your organization's owner ({named})" if named else "Ask your organization's owner"
    return GoldElsewhere(f"{scope} {ask} to buy Gold Support for {organization}.", False)
