"""Contact support: the phone numbers of the customer's regions and whether each line is open now (until when,
or when it opens), in the reader's time zone. Also loaded on the new-ticket page (``SupportState.load``)."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import support_phones
from opsportal.services.errors import ServiceError
from opsportal.services.support_phones import SupportContacts
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect


def contact_rows(view: SupportContacts) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The regions, and their numbers (each naming its region: Reflex renders flat lists best)."""
    regions, phones = [], []
    for r in view.regions:
        regions.append({"code": r.code, "name": r.name, "role": "Home region" if r.home else "Multi-Regional",
                        "hours": r.hours, "status": r.status, "open": "yes" if r.open else "",
                        "basis": r.basis, "has_phones": "yes" if r.phones else ""})
        phones += [{"region": r.code, "label": p.label, "number": p.number, "href": "tel:" + p.number}
                   for p in r.phones]
    return regions, phones


class SupportState(rx.State):
    loaded: bool = False
    error: str = ""
    organization: str = ""
    gold: bool = False
    message: str = ""
    may_buy: bool = False
    regions: list[dict[str, str]] = []
    phones: list[dict[str, str]] = []
    other_regions: str = ""
    time_zone: str = ""

    def _refresh(self, actor) -> None:
        view = support_phones.support_contacts(actor, actor.organization_id)
        self.organization, self.gold, self.message, self.may_buy = (view.organization, view.gold_active,
                                                                    view.message, view.may_buy)
        self.regions, self.phones = contact_rows(view)
        self.other_regions = ", ".join(view.other_regions)
        self.time_zone = formats.zone_label(view.time_zone)

    @rx.event
    async def load(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is None:
            return redirect
        if actor.is_staff:
            if (self.router.url.path or "").rstrip("/") == routes.SUPPORT:
                return rx.redirect(routes.STAFF_SUPPORT)
            return None
        self.error = ""
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.error = str(exc)
            return None
        self.loaded = True
        return None
