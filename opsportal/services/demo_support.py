"""Demo phone support and support terms: numbers for the demo regions and the first version of the terms
(``demo_content/support_terms.md``). Idempotent: a region that has numbers, or terms already published, are left
as they are. Runs with the demo plans, before the demo buys anything (every purchase accepts the terms)."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.support_terms import DEFAULT_TITLE
from opsportal.models import SupportPhone
from opsportal.services import support_phones, support_terms
from opsportal.services.authz import Actor, require_staff_admin

# region -> (label, number); fictional numbers in each country's range reserved for drama and examples.
DEMO_PHONES = {
    "AMER": (("Main line", "+1 202 555 0143"), ("Toll-free (US and Canada)", "+1 800 555 0199")),
    "EMEA": (("Main line", "+44 20 7946 0321"),),
    "APAC": (("Main line", "+852 3001 2345"),),
}


def terms_text() -> str:
    return resources.files("opsportal.demo_content").joinpath("support_terms.md").read_text(encoding="utf-8")


def load_demo_support(actor: Actor, *, at: datetime | None = None) -> int:
    """Returns the number of phone numbers and terms versions added."""
    require_staff_admin(actor)
    added = 0
    with unit_of_work(write=False) as session:
        has_numbers = set(session.exec(select(SupportPhone.region_code).distinct()).all())
        has_terms = support_terms.current_version(session) is not None
    known = {r.code for r in support_phones.region_hours(actor)}
    for code, lines in DEMO_PHONES.items():
        if code in has_numbers or code not in known:
            continue
        for label, number in lines:
            support_phones.add_phone(actor, code, label=label, number=number, at=at)
            added += 1
    if not has_terms:
        support_terms.publish_terms(actor, title=DEFAULT_TITLE, body=terms_text(), summary="First version", at=at)
        added += 1
    return added
