"""Support coverage as the pages show it (the dashboard card, the plans page): plain dicts for Reflex vars."""

from __future__ import annotations

from opsportal import routes
from opsportal.services.plans import CoverageView

# Icon and colour per tone; the words carry the meaning, the colour only repeats it.
TONES = {"available": ("shield-check", "green"), "after_hours": ("moon", "blue"),
         "not_covered": ("shield-alert", "amber")}


def coverage_dict(view: CoverageView) -> dict[str, str]:
    icon, color = TONES.get(view.tone, TONES["not_covered"])
    emergency = view.emergency_available and not view.covered
    return {
        "headline": view.headline,
        "tone": view.tone,
        "icon": icon,
        "color": color,
        "covered": "yes" if view.covered else "",
        "emergency_rate": view.emergency_rate if emergency else "",
        "request_href": routes.INCIDENT_REQUEST + "?kind=emergency" if emergency and view.may_request_incident
        else "",
    }


def region_rows(view: CoverageView) -> list[dict[str, str]]:
    return [{"code": r.code, "name": r.name, "role": "home region" if r.home else "additional region",
             "local_time": r.local_time, "hours": r.hours, "open": "Open now" if r.business_time else "Closed now",
             "text": r.text, "covered": "yes" if r.covered else "", "opens_next": r.opens_next}
            for r in view.regions]


EMPTY_COVERAGE: dict[str, str] = {"headline": "", "tone": "", "icon": "shield", "color": "gray", "covered": "",
                                  "emergency_rate": "", "request_href": ""}
