"""Staff manage support plans: the catalog and its prices, bundles, organizations' regions and entitlements,
and read the audit log of every change (staff administrators; each change is audited by the service)."""

from __future__ import annotations

import json
from datetime import date

import reflex as rx

from opsportal import clock, routes
from opsportal.domain import formats
from opsportal.domain.money import parse_minor_units
from opsportal.domain.percent import format_bp, parse_bp
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.services import plan_admin_views, plan_catalog
from opsportal.services.errors import ServiceError
from opsportal.state import offload
from opsportal.state.auth import actor_or_redirect

AUDIT_PAGE = 20
DENIED = "Support plans are managed by staff administrators."
ADDONS = [c.value for c in OfferingCode if c.kind.value == "addon"]
LABELS = {c.value: c.label for c in OfferingCode}


def _change_text(before, after) -> str:
    if before is None:
        return json.dumps(after, sort_keys=True)[:300] if after else ""
    changed = {k: after.get(k) for k in (after or {}) if before.get(k) != after.get(k)}
    return "; ".join(f"{k}: {before.get(k)} → {v}" for k, v in changed.items())[:300] or "no change"


class StaffPlansState(rx.State):
    allowed: bool = False
    denied: str = ""
    error: str = ""
    notice: str = ""
    offerings: list[dict[str, str]] = []
    bundles: list[dict[str, str]] = []
    regions: list[str] = []
    organizations: list[dict[str, str]] = []
    org_id: str = ""
    org_regions: str = ""
    org_home: str = ""
    org_extra: list[str] = []
    entitlements: list[dict[str, str]] = []
    audit: list[dict[str, str]] = []
    audit_page: int = 1
    audit_org: str = ""  # "" = every organization and the catalog; else an organization id
    audit_pages: int = 1
    # The open dialog: "" | "offering" | "bundle" | "grant" | "revoke" | "regions"; what it edits; its message.
    dialog: str = ""
    edit: dict[str, str] = {}
    edit_addons: list[str] = []
    edit_key: int = 0
    dialog_error: str = ""

    async def _actor(self):
        actor, redirect = await actor_or_redirect(self)
        if actor is not None and not actor.is_staff:
            return None, rx.redirect(routes.DASHBOARD)
        return actor, redirect

    def _refresh(self, actor) -> None:
        rows = plan_admin_views.catalog_rows(actor)
        self.offerings = [
            {"code": o.code, "name": o.name, "kind": {"base": "Base", "addon": "Add-on"}.get(o.kind, "Per incident"),
             "price": (f"{formats.money(o.unit_price_minor, o.currency)} per {formats.duration(o.unit_minutes)}, "
                       f"at least {formats.count(o.min_units)}") if o.kind == "incident"
             else f"{formats.money(o.price_minor, o.currency)} per 12 months",
             "currency": o.currency, "price_input": formats.amount_input(o.price_minor),
             "unit_price_input": formats.amount_input(o.unit_price_minor),
             "unit_minutes": str(o.unit_minutes),
             "min_units": str(o.min_units), "active": "yes" if o.active else "", "status": "On sale" if o.active
             else "Withdrawn", "incident": "yes" if o.kind == "incident" else ""}
            for o in sorted(rows.offerings, key=lambda o: ({"base": 0, "addon": 1}.get(o.kind, 2), o.name))]
        self.bundles = [{"code": b.code, "name": b.name, "addons": ",".join(b.addons),
                         "addon_names": " + ".join(LABELS.get(a, a) for a in b.addons),
                         "discount": formats.percent_bp(b.discount_bp), "discount_input": format_bp(b.discount_bp),
                         "active": "yes" if b.active else "", "status": "On sale" if b.active else "Withdrawn"}
                        for b in rows.bundles]
        self.regions = rows.regions
        self.organizations = [{"id": str(i), "name": n} for i, n in rows.organizations]
        if not self.org_id and rows.organizations:
            self.org_id = str(rows.organizations[0][0])
        self._refresh_org(actor)
        self._refresh_audit(actor)

    def _refresh_org(self, actor) -> None:
        if not self.org_id.isdigit():
            self.entitlements, self.org_regions = [], ""
            return
        found = plan_catalog.org_entitlements(actor, int(self.org_id))
        regions = found.regions
        self.org_home = regions.home if regions else ""
        self.org_extra = list(regions.extra) if regions else []
        self.org_regions = (f"Home region {regions.home}" + (f"; other regions {', '.join(regions.extra)}"
                                                             if regions.extra else "")) if regions \
            else "No home region set"
        self.entitlements = [
            {"id": str(e.id), "name": LABELS.get(e.code, e.code), "region": e.region,
             "start": formats.day(e.start), "end": formats.day(e.end),
             "details": ", ".join(filter(None, [", ".join(e.extra_regions), ", ".join(e.versions)])),
             "status": formats.label(e.status),
             "revocable": "" if e.revoked else "yes"} for e in reversed(found.entitlements)]

    def _refresh_audit(self, actor) -> None:
        org = int(self.audit_org) if self.audit_org.isdigit() else None
        page = plan_catalog.audit_log(actor, self.audit_page, page_size=AUDIT_PAGE, organization_id=org)
        self.audit_pages = max(1, -(-page.total // AUDIT_PAGE))
        self.audit = [{"id": str(r.id), "at": formats.instant(r.at, actor.time_zone), "actor": r.actor,
                       "action": formats.label(r.action.replace(".", "_")), "subject": r.subject,
                       "change": _change_text(r.before, r.after),
                       "note": r.note}
                      for r in page.items]

    @rx.event
    async def load(self):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.error = self.notice = self.dialog = ""
        try:
            await offload.run(self._refresh, actor)
        except ServiceError as exc:
            self.allowed, self.denied = False, str(exc) or DENIED
            return
        self.allowed, self.denied = True, ""

    @rx.event
    async def choose_org(self, value: str):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.org_id, self.notice, self.error = str(value), "", ""
        try:
            await offload.run(self._refresh_org, actor)
        except ServiceError as exc:
            self.error = str(exc)

    @rx.event
    async def choose_audit_org(self, value: str):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.audit_org = str(value) if str(value).isdigit() else ""
        self.audit_page = 1
        await offload.run(self._refresh_audit, actor)

    @rx.event
    async def audit_to(self, page: int):
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.audit_page = max(1, min(int(page), self.audit_pages))
        await offload.run(self._refresh_audit, actor)

    def _open(self, dialog: str, edit: dict[str, str]) -> None:
        self.dialog, self.edit, self.dialog_error, self.notice = dialog, edit, "", ""
        self.edit_key += 1

    @rx.event
    def open_offering(self, code: str):
        row = next((o for o in self.offerings if o["code"] == code), None)
        if row is not None:
            self._open("offering", {**row, "title": f"Edit {row['name']}"})

    @rx.event
    def open_bundle(self, code: str):
        row = next((b for b in self.bundles if b["code"] == code), None)
        edit = {**row, "title": f"Edit the {row['name']} bundle", "new": ""} if row else {
            "code": "", "name": "", "discount_input": "10", "active": "yes", "title": "Add a bundle", "new": "yes"}
        self.edit_addons = row["addons"].split(",") if row else []
        self._open("bundle", edit)

    @rx.event
    def open_grant(self):
        self._open("grant", {"title": "Grant an entitlement", "start": clock.coverage_now().date().isoformat()})

    @rx.event
    def open_revoke(self, entitlement_id: str):
        row = next((e for e in self.entitlements if e["id"] == entitlement_id), None)
        if row is not None:
            self._open("revoke", {**row, "title": f"Revoke {row['name']} ({row['start']} – {row['end']})"})

    @rx.event
    def open_regions(self):
        self._open("regions", {"title": "Set the organization's regions", "home": self.org_home})

    @rx.event
    def set_dialog_open(self, value: bool):
        if not value:
            self.dialog = ""

    @rx.event
    async def save(self, form: dict):
        """Saves what the open dialog edits; the service validates and audits it."""
        actor, redirect = await self._actor()
        if actor is None:
            return redirect
        self.dialog_error = ""

        def work():
            notice = self._save(actor, self.dialog, form)
            self._refresh(actor)
            return notice

        try:
            notice = await offload.run(work)
        except ValueError as exc:
            self.dialog_error = str(exc).rstrip(".") + "."
            return
        except ServiceError as exc:
            self.dialog_error = str(exc)
            return
        self.dialog, self.notice = "", notice

    def _save(self, actor, dialog: str, form: dict) -> str:
        def whole(name: str, what: str) -> int:
            text = str(form.get(name, "")).strip()
            if not text.isdigit():
                raise ValueError(f"{what} must be a whole number")
            return int(text)

        def checked(name: str) -> bool:
            return str(form.get(name, "")).lower() in ("on", "true", "yes", "1")

        if dialog == "offering":
            code = self.edit["code"]
            price = parse_minor_units(str(form.get("price", "0") or "0"))
            unit_price = parse_minor_units(str(form.get("unit_price", "0") or "0"))
            plan_catalog.save_offering(actor, code, name=str(form.get("name", "")), price_minor=price,
                                       unit_price_minor=unit_price, unit_minutes=whole("unit_minutes", "The time unit"),
                                       min_units=whole("min_units", "The minimum units"),
                                       currency=str(form.get("currency", "")), active=checked("active"))
            return f"Saved {form.get('name', code)}."
        if dialog == "bundle":
            code = self.edit.get("code") or str(form.get("code", ""))
            text = str(form.get("discount", "")).strip()
            try:
                bp = parse_bp(text)
            except ValueError:
                raise ValueError("Give the discount in percent, e.g. 10") from None
            addons = [c for c in ADDONS if checked(f"addon_{c}")]
            plan_catalog.save_bundle(actor, code, name=str(form.get("name", "")), addons=addons,
                                     discount_bp=bp, active=checked("active"))
            return f"Saved the bundle {form.get('name', code)}."
        org_id = int(self.org_id)
        if dialog == "grant":
            try:
                start = date.fromisoformat(str(form.get("start", "")))
            except ValueError:
                raise ValueError("Give the first day of the term") from None
            extra = [c for c in self.regions if checked(f"region_{c}")]
            versions = [v for v in str(form.get("versions", "")).split(",") if v.strip()]
            plan_catalog.grant_entitlement(actor, org_id, str(form.get("code", "")), start,
                                           months=whole("months", "The term"), extra_regions=extra,
                                           versions=versions, note=str(form.get("note", "")))
            return "Entitlement granted."
        if dialog == "revoke":
            plan_catalog.revoke_entitlement(actor, int(self.edit["id"]), reason=str(form.get("reason", "")))
            return "Entitlement revoked."
        if dialog == "regions":
            extra = [c for c in self.regions if checked(f"region_{c}")]
            plan_catalog.set_org_regions(actor, org_id, str(form.get("home", "")), extra)
            return "Regions saved."
        raise ValueError("Nothing to save")
