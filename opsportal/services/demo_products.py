"""Demo software: two products with a supported version, one in sunset and one past end of life, their releases
and hotfixes (small real ZIP files, built at seed time), and licences that show every path of the Downloads page:

- Northwind Holdings (Gold) runs K2 Five 5.4 (supported: it downloads) and K2 blackpearl 4.7 (past end of life,
  no Extended-Term: it is offered Extended-Term);
- Northwind Retail (no Gold) runs K2 Five 5.3 (in sunset): it is told to renew Gold Support;
- Fabrikam Clinics (Gold with Everyday After-Hours) runs K2 Five 5.4.

Lifecycle days are counted from the day the demo is loaded, so the story holds whenever it runs. Idempotent: a
product that exists is left as it is (its versions and releases too); an organization holding licences gets none.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.services import orgtree, software_catalog, software_licences
from opsportal.services.authz import Actor, require_staff_admin

# product -> description, [(version, GA, sunset, EOL) in days from today]
DEMO_PRODUCTS = {
    "K2 Five": ("Low-code workflow and forms platform.",
                [("5.4", -240, 480, 1200), ("5.3", -900, -60, 300)]),
    "K2 blackpearl": ("The classic K2 workflow server.", [("4.7", -2400, -900, -200)]),
}
# (product, version, kind, title, days from today, file name, notes)
DEMO_RELEASES = [
    ("K2 Five", "5.4", "major", "K2 Five 5.4", -240, "k2five-5.4-setup.zip", "Major release: new form designer, "
     "workflow versioning and a faster task list."),
    ("K2 Five", "5.4", "update", "Cumulative update 5.4.1", -120, "k2five-5.4.1-update.zip",
     "Cumulative update: every fix since 5.4."),
    ("K2 Five", "5.4", "hotfix", "Hotfix 5.4.1.2", -20, "k2five-5.4.1.2-hotfix.zip",
     "Fixes a deadlock when two workflows update the same list item."),
    ("K2 Five", "5.3", "hotfix", "Hotfix 5.3.0.9", -90, "k2five-5.3.0.9-hotfix.zip",
     "Security fix for the SmartForms runtime."),
    ("K2 blackpearl", "4.7", "hotfix", "Hotfix 4.7.0.31", -400, "k2bp-4.7.0.31-hotfix.zip",
     "Last hotfix of 4.7: TLS 1.2 for SmartObject services."),
]
# organization -> [(product, version, region, quantity, days ago bought)]
DEMO_LICENCES = {
    "Northwind Holdings": [("K2 Five", "5.4", "EMEA", 4, 230), ("K2 blackpearl", "4.7", "EMEA", 2, 2000)],
    "Northwind Retail": [("K2 Five", "5.3", "EMEA", 1, 800)],
    "Fabrikam Clinics": [("K2 Five", "5.4", "AMER", 2, 200)],
}
# A fixed timestamp inside the ZIPs: the same bytes (and checksum) on every load.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def release_zip(file_name: str, title: str, notes: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("README.txt", _ZIP_TIME), f"{title}\n\n{notes}\n")
        archive.writestr(zipfile.ZipInfo(file_name.removesuffix(".zip") + ".msp", _ZIP_TIME),
                         f"demo payload of {file_name}\n".encode() * 32)
    return buffer.getvalue()


def _day(today: date, offset: int | None) -> date | None:
    return None if offset is None else today + timedelta(days=offset)


def load_demo_products(actor: Actor, *, at: datetime | None = None) -> int:
    """Returns the number of products, versions, releases and licences added."""
    require_staff_admin(actor)
    at = at or clock.coverage_now()
    today = at.date()
    existing = {p.name for p in software_catalog.catalog(actor, at)}
    added = 0
    for name, (description, versions) in DEMO_PRODUCTS.items():
        if name in existing:
            continue
        product = software_catalog.create_product(actor, name, description)
        added += 1
        for number, ga, sunset, eol in versions:
            software_catalog.add_version(actor, product.id, number, ga=_day(today, ga), sunset=_day(today, sunset),
                                         end_of_life=_day(today, eol), at=at)
            added += 1
        for product_name, number, kind, title, offset, file_name, notes in DEMO_RELEASES:
            if product_name != name:
                continue
            version = next(v for v in software_catalog.catalog(actor, at) if v.name == name).versions
            version_id = next(v.id for v in version if v.number == number)
            software_catalog.add_release(actor, version_id, kind=kind, title=title, notes=notes,
                                         released_on=_day(today, offset), file_name=file_name,
                                         stream=io.BytesIO(release_zip(file_name, title, notes)), at=at)
            added += 1
    versions = {(p.name, v.number): v.id for p in software_catalog.catalog(actor, at) for v in p.versions}
    with unit_of_work(write=False) as session:
        orgs = {name: org.id for name in DEMO_LICENCES if (org := orgtree.find_by_name(session, name)) is not None}
    for name, org_id in orgs.items():
        if software_licences.org_licences(actor, org_id, at):
            continue
        for product_name, number, region, quantity, days_ago in DEMO_LICENCES[name]:
            version_id = versions.get((product_name, number))
            if version_id is None:
                continue
            software_licences.add_licence(actor, org_id, version_id, region=region, quantity=quantity,
                                          purchased_on=today - timedelta(days=days_ago), note="Demo data", at=at)
            added += 1
    return added
