"""Software assurance: products' versions and their lifecycle, and who may download a release (seed 001).

From the K2 support offering:
- Gold Support includes "software assurance ... giving customers access to all hotfixes, updates and major releases
  of the K2 software products they have purchased": downloads need Gold active today, and a licence of the product.
- Extended-Term "is for customers using K2 product versions that have entered a sunset or end-of-life (EOL) status
  and are no longer supported under standard K2 support": a version past end of life is downloadable only while an
  active Extended-Term names it (on top of Gold, like every add-on). A version in sunset still gets Gold's
  downloads; Extended-Term is what supports it fully.

A version's lifecycle: before its general availability (GA) it is not released; from GA it is supported; from its
sunset day it is in sunset; from its end-of-life day it is past end of life. The days are calendar days, the first
day of each state included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opsportal.domain import formats

MAX_PRODUCT_NAME = 120
MAX_VERSION_NUMBER = 40
MAX_RELEASE_TITLE = 200
MAX_NOTES = 4000


class LifecycleStatus(StrEnum):
    upcoming = "upcoming"  # before general availability
    supported = "supported"
    sunset = "sunset"
    end_of_life = "end_of_life"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    LifecycleStatus.upcoming: "Not yet released",
    LifecycleStatus.supported: "Supported",
    LifecycleStatus.sunset: "Sunset",
    LifecycleStatus.end_of_life: "Past end of life",
}


class ReleaseKind(StrEnum):
    major = "major"  # a major release: the version itself
    update = "update"
    hotfix = "hotfix"

    @property
    def label(self) -> str:
        return {"major": "Major release", "update": "Update", "hotfix": "Hotfix"}[self.value]


@dataclass(frozen=True)
class Lifecycle:
    ga: date
    sunset: date | None = None  # None: no sunset announced
    end_of_life: date | None = None  # None: no end of life announced

    def status_on(self, day: date) -> LifecycleStatus:
        return lifecycle_status(self, day)


def lifecycle_status(lifecycle: Lifecycle, day: date) -> LifecycleStatus:
    """Where a version stands on ``day``: each state starts on its own day (inclusive)."""
    if lifecycle.end_of_life is not None and day >= lifecycle.end_of_life:
        return LifecycleStatus.end_of_life
    if lifecycle.sunset is not None and day >= lifecycle.sunset:
        return LifecycleStatus.sunset
    if day >= lifecycle.ga:
        return LifecycleStatus.supported
    return LifecycleStatus.upcoming


def lifecycle_problem(lifecycle: Lifecycle) -> str | None:
    """Why staff cannot save these dates: sunset and end of life come after GA, end of life not before sunset."""
    if lifecycle.sunset is not None and lifecycle.sunset <= lifecycle.ga:
        return (f"the sunset day ({formats.day(lifecycle.sunset)}) must be after general availability "
                f"({formats.day(lifecycle.ga)})")
    if lifecycle.end_of_life is not None and lifecycle.end_of_life <= lifecycle.ga:
        return (f"the end of life ({formats.day(lifecycle.end_of_life)}) must be after general availability "
                f"({formats.day(lifecycle.ga)})")
    if lifecycle.sunset is not None and lifecycle.end_of_life is not None and lifecycle.end_of_life < lifecycle.sunset:
        return (f"the end of life ({formats.day(lifecycle.end_of_life)}) cannot come before the sunset "
                f"({formats.day(lifecycle.sunset)})")
    return None


def name_problem(name: str, *, what: str, limit: int) -> str | None:
    text = " ".join((name or "").split())
    if not text:
        return f"give the {what}"
    if len(text) > limit:
        return f"the {what} is at most {limit} characters"
    return None


def version_label(product: str, number: str) -> str:
    """``K2 Five 5.4``: how a version is named to customers, and in an Extended-Term."""
    return f"{product} {number}"


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def names_version(covered: Iterable[str], product: str, number: str) -> bool:
    """Whether an Extended-Term's named versions include this one: ``K2 Five 5.4`` or just ``5.4`` (the plans page
    asks for "e.g. 4.6, 4.7"), in any case and spacing."""
    wanted = {_key(version_label(product, number)), _key(number)}
    return any(_key(name) in wanted for name in covered)


class Remedy(StrEnum):
    """What a customer buys to download: Gold Support, or Extended-Term for a version past end of life."""

    gold = "gold"
    extended_term = "extended_term"


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str  # why not, in words ("" when allowed)
    remedy: Remedy | None = None
    covered_by: str = ""  # "Gold Support" / "Extended-Term" when allowed


def download_access(status: LifecycleStatus, *, licensed: bool, gold_active: bool, extended_term: bool,
                    label: str) -> Access:
    """May an organization download a release of the version ``label`` (in ``status`` today)?

    ``licensed``: it holds a licence of the product; ``gold_active``: Gold Support is in force today;
    ``extended_term``: an Extended-Term in force today names the version (it counts only with Gold).
    """
    if not licensed:
        return Access(False, "Your organization has no licence of this product.")
    if status is LifecycleStatus.upcoming:
        return Access(False, f"{label} is not released yet.")
    if not gold_active:
        extra = " and Extended-Term naming it" if status is LifecycleStatus.end_of_life else ""
        return Access(False, f"Downloads need active Gold Support{extra}: renew Gold Support to download "
                             f"{label}.", Remedy.gold)
    if status is LifecycleStatus.end_of_life:
        if extended_term:
            return Access(True, "", covered_by="Extended-Term")
        return Access(False, f"{label} is past end of life: downloads need an Extended-Term add-on naming it.",
                      Remedy.extended_term)
    return Access(True, "", covered_by="Gold Support")


def support_cover(status: LifecycleStatus, *, gold_active: bool, extended_term: bool) -> str:
    """What supports a licensed version today, in words, for the Products page."""
    if not gold_active:
        return "Not covered — no active Gold Support"
    if status is LifecycleStatus.upcoming:
        return "Not released yet"
    if extended_term and status in (LifecycleStatus.sunset, LifecycleStatus.end_of_life):
        return "Gold Support and Extended-Term"
    if status is LifecycleStatus.end_of_life:
        return "Not covered — past end of life; Extended-Term covers it"
    if status is LifecycleStatus.sunset:
        return "Gold Support (sunset: Extended-Term extends full support)"
    return "Gold Support"


# --- changing the catalog: what a rename carries and what a deletion would break ------------------------------------
#
# Deleting is for mistakes: a product, version or release nothing refers to yet. Once something refers to it, the
# deletion is refused and says what refers to it, because each of those is a record someone relies on:
# - a product with versions or licences (delete its versions first; licences are organizations' purchases);
# - a version that licences run, that has release files, or that an Extended-Term in force or to come names (or a
#   plan order waiting for payment): deleting it would take a paid-for cover's subject away;
# - a release that was downloaded: the download log says who got which file, and keeps saying it.
# A version a customer no longer gets is one past its end of life (its lifecycle), not a deleted one.
#
# Renaming keeps the cover right instead of refusing: an Extended-Term names versions in words ("K2 Five 5.4" or
# "5.4", see ``names_version``), so a rename carries the new name into the Extended-Terms in force or to come (and
# plan orders waiting for payment) that named the old one (``carried_version_names``). Ended ones are history and
# keep the words they were bought with.


def _count(n: int, one: str, many: str) -> str:
    return f"{formats.count(n)} {one if n == 1 else many}"


def _listing(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def product_delete_problem(name: str, *, versions: int, licences: int) -> str | None:
    """Why staff cannot delete the product ``name``: it still has versions, or organizations hold licences of it."""
    parts = []
    if licences:
        parts.append(_count(licences, "licence", "licences"))
    if versions:
        parts.append(_count(versions, "version", "versions"))
    if not parts:
        return None
    return (f"{name} cannot be deleted: it has {_listing(parts)}. Delete its versions first (a version nothing "
            f"refers to); licences are organizations' purchases and are removed on their own")


def version_delete_problem(label: str, *, licences: int, releases: int, extended_terms: Iterable[str]) -> str | None:
    """Why staff cannot delete the version ``label``: licences run it, it has release files, or Extended-Terms
    (in force, to come or ordered; ``extended_terms`` names their organizations) name it."""
    parts = []
    if licences:
        parts.append(f"{_count(licences, 'licence runs', 'licences run')} it")
    if releases:
        parts.append(f"it has {_count(releases, 'release file', 'release files')}")
    orgs = sorted(set(extended_terms))
    if orgs:
        parts.append(f"an Extended-Term of {_listing(orgs)} names it")
    if not parts:
        return None
    return (f"{label} cannot be deleted: {_listing(parts)}. A version customers no longer get support for is one "
            f"past its end of life: set its end-of-life day instead")


def release_delete_problem(title: str, *, downloads: int) -> str | None:
    """Why staff cannot delete a release: it was downloaded, and the download log keeps naming the file."""
    if not downloads:
        return None
    return (f"{title} cannot be deleted: it was downloaded {_count(downloads, 'time', 'times')}, and the download "
            f"log keeps naming it. Upload a corrected release instead")


def carried_version_names(names: Iterable[str], *, old_product: str, old_number: str, new_product: str,
                          new_number: str, number_elsewhere: bool) -> tuple[str, ...]:
    """An Extended-Term's named versions after the version ``old_product old_number`` was renamed
    ``new_product new_number``: a name that meant it now says the new name, so the cover stays on the same version.

    A bare number (``5.4``) names that number in every product: it is kept while the number is unchanged (it still
    matches); when the number changes it becomes the new full name, and is kept as well when another product has a
    version of the old number (``number_elsewhere``), whose cover it still is. Order kept, each name once."""
    old_label, new_label = _key(version_label(old_product, old_number)), version_label(new_product, new_number)
    number_changed = _key(old_number) != _key(new_number)
    result: list[str] = []
    for name in names:
        key = _key(name)
        if key == old_label:
            result.append(new_label)
        elif key == _key(old_number) and number_changed:
            result.append(new_label)
            if number_elsewhere:
                result.append(name)
        else:
            result.append(name)
    seen: set[str] = set()
    return tuple(n for n in result if not (_key(n) in seen or seen.add(_key(n))))
