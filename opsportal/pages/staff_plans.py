"""Staff: the support-plan catalog and prices, bundles, organizations' regions and entitlements, the audit log."""

import reflex as rx

from opsportal import routes
from opsportal.components.forms import day_picker
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import phone_only, secondary_cell, secondary_header
from opsportal.state.staff_plans import ADDONS, LABELS
from opsportal.state.staff_plans import StaffPlansState as S

MUTED = rx.color("gray", 11)
SELECT_STYLE = {"padding": "0.4rem", "borderRadius": "4px", "border": f"1px solid {rx.color('gray', 8)}",
                "width": "100%", "background": "transparent", "color": "inherit"}


def _field(label: str, control_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.el.label(label, html_for=control_id, style={"fontSize": "0.85rem", "fontWeight": "500"}),
                     control, spacing="1", width="100%")


def _input(**props) -> rx.Component:
    return rx.input(width="100%", **props)


def _check(label: str, name: str, control_id: str, checked) -> rx.Component:
    return rx.el.label(rx.el.input(type="checkbox", name=name, id=control_id, default_checked=checked), " ", label,
                       html_for=control_id, style={"marginRight": "0.9rem", "fontSize": "0.9rem"})


def _table(label: str, table_id: str, headers: list[str], rows, row, secondary: tuple[str, ...] = ()) -> rx.Component:
    """Phones show the columns not named in ``secondary`` (the rows put what matters of those under their name)."""
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[secondary_header(h) if h in secondary else rx.table.column_header_cell(h)
                                       for h in headers])),
        rx.table.body(rx.foreach(rows, row)),
        width="100%", aria_label=label, id=table_id, size="1",
    ), overflow_x="auto", width="100%")


def _catalog() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Catalog", size="4", as_="h2"),
        _table("Plan catalog", "plan-catalog", ["Offering", "Kind", "Price", "Status", ""], S.offerings,
               lambda o: rx.table.row(
                   rx.table.row_header_cell(rx.vstack(rx.text(o["name"], weight="medium"),
                                                      rx.text(o["code"], size="1", color=MUTED),
                                                      phone_only(rx.text(o["price"], size="1")), spacing="0")),
                   secondary_cell(o["kind"]),
                   secondary_cell(o["price"]),
                   rx.table.cell(o["status"], white_space="nowrap"),
                   rx.table.cell(rx.button("Edit", size="1", variant="soft", on_click=S.open_offering(o["code"]),
                                           aria_label="Edit " + o["name"])),
               ), secondary=("Kind", "Price")),
        rx.hstack(rx.heading("Bundles", size="3", as_="h3"), rx.spacer(),
                  rx.button(rx.icon("plus", size=14, aria_hidden="true"), "Add a bundle", size="1", variant="soft",
                            on_click=S.open_bundle("")), width="100%", align="center"),
        _table("Plan bundles", "plan-bundles", ["Bundle", "Add-ons", "Discount", "Status", ""], S.bundles,
               lambda b: rx.table.row(
                   rx.table.row_header_cell(rx.text(b["name"], weight="medium"),
                                            phone_only(rx.text(b["addon_names"], size="1", color=MUTED))),
                   secondary_cell(b["addon_names"]),
                   rx.table.cell(b["discount"]),
                   rx.table.cell(b["status"], white_space="nowrap"),
                   rx.table.cell(rx.button("Edit", size="1", variant="soft", on_click=S.open_bundle(b["code"]),
                                           aria_label="Edit the " + b["name"] + " bundle")),
               ), secondary=("Add-ons",)),
        spacing="3", width="100%",
    ), width="100%")


def _organization() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Organizations", size="4", as_="h2"),
        rx.hstack(
            _field("Organization", "plans-org", rx.el.select(
                rx.foreach(S.organizations, lambda o: rx.el.option(o["name"], value=o["id"])),
                id="plans-org", value=S.org_id, on_change=S.choose_org, style=SELECT_STYLE)),
            width="100%", max_width="24rem",
        ),
        rx.hstack(rx.text(S.org_regions, size="2", id="plans-org-regions"), rx.spacer(),
                  rx.button("Set regions", size="1", variant="soft", on_click=S.open_regions),
                  rx.button(rx.icon("plus", size=14, aria_hidden="true"), "Grant an entitlement", size="1",
                            on_click=S.open_grant),
                  width="100%", align="center", wrap="wrap", spacing="2"),
        rx.cond(S.entitlements.length() > 0,
                _table("Entitlements", "plans-entitlements",
                       ["Entitlement", "Region", "First day", "Ends (exclusive)", "Details", "Status", ""],
                       S.entitlements, lambda e: rx.table.row(
                           rx.table.row_header_cell(e["name"], phone_only(rx.text(
                               e["region"], ", ", e["start"], " – ", e["end"], size="1", color=MUTED))),
                           secondary_cell(e["region"]),
                           secondary_cell(e["start"], white_space="nowrap"),
                           secondary_cell(e["end"], white_space="nowrap"),
                           secondary_cell(e["details"]),
                           rx.table.cell(e["status"]),
                           rx.table.cell(rx.cond(e["revocable"] != "", rx.button(
                               "Revoke", size="1", variant="soft", color_scheme="red",
                               on_click=S.open_revoke(e["id"]), aria_label="Revoke " + e["name"] + " from "
                               + e["start"]))),
                       ), secondary=("Region", "First day", "Ends (exclusive)", "Details")),
                rx.text("No entitlements.", size="2", color=MUTED)),
        spacing="3", width="100%",
    ), width="100%")


def _audit_row(a: rx.Var) -> rx.Component:
    return rx.table.row(
        secondary_cell(a["at"], white_space="nowrap"),
        secondary_cell(a["actor"]),
        rx.table.cell(a["action"]),
        # Phones: the subject, then when and by whom (their columns appear from 30em up).
        rx.table.row_header_cell(a["subject"], phone_only(rx.text(a["at"], " · ", a["actor"], size="1",
                                                                  color=MUTED))),
        secondary_cell(rx.text(a["change"], size="1"), rx.cond(a["note"] != "", rx.text(
            "Note: ", a["note"], size="1", color=MUTED))),
    )


def _audit() -> rx.Component:
    empty = rx.cond(S.audit_org == "", "No changes yet.", "No changes for this organization yet.")
    return rx.card(rx.vstack(
        rx.heading("Audit log", size="4", as_="h2"),
        rx.box(_field("Show changes of", "audit-org", rx.el.select(
            rx.el.option("Every organization and the catalog", value=""),
            rx.foreach(S.organizations, lambda o: rx.el.option(o["name"], value=o["id"])),
            id="audit-org", value=S.audit_org, on_change=S.choose_audit_org, style=SELECT_STYLE)),
            width="100%", max_width="24rem"),
        rx.cond(
            S.audit.length() == 0,
            rx.text(empty, size="2", color=MUTED, id="plans-audit-empty"),
            rx.vstack(
                _table("Plan audit log", "plans-audit", ["When", "Who", "Action", "Subject", "Change"], S.audit,
                       _audit_row, secondary=("When", "Who", "Change")),
                rx.hstack(
                    rx.button("Newer", size="1", variant="soft", disabled=S.audit_page <= 1,
                              on_click=S.audit_to(S.audit_page - 1)),
                    rx.text("Page ", S.audit_page, " of ", S.audit_pages, size="2"),
                    rx.button("Older", size="1", variant="soft", disabled=S.audit_page >= S.audit_pages,
                              on_click=S.audit_to(S.audit_page + 1)),
                    spacing="3", align="center",
                ),
                spacing="3", width="100%",
            ),
        ),
        spacing="3", width="100%",
    ), width="100%")


def _offering_form() -> rx.Component:
    e = S.edit
    return rx.vstack(
        _field("Name", "offering-name", _input(name="name", id="offering-name", default_value=e["name"])),
        rx.grid(
            _field("Price per 12 months", "offering-price", _input(name="price", id="offering-price",
                                                                     default_value=e["price_input"],
                                                                     input_mode="decimal")),
            _field("Currency", "offering-currency", _input(name="currency", id="offering-currency",
                                                             default_value=e["currency"], max_length=3)),
            _field("Price per time unit (per incident)", "offering-unit-price",
                   _input(name="unit_price", id="offering-unit-price", default_value=e["unit_price_input"],
                            input_mode="decimal")),
            _field("Time unit (minutes)", "offering-unit", _input(name="unit_minutes", id="offering-unit",
                                                                    default_value=e["unit_minutes"],
                                                                    input_mode="numeric")),
            _field("Minimum units per incident", "offering-min", _input(name="min_units", id="offering-min",
                                                                          default_value=e["min_units"],
                                                                          input_mode="numeric")),
            columns="2", spacing="3", width="100%",
        ),
        _check("On sale", "active", "offering-active", e["active"] != ""),
        spacing="3", width="100%",
    )


def _bundle_form() -> rx.Component:
    e = S.edit
    return rx.vstack(
        rx.cond(e["new"] != "", _field("Code (letters, digits, underscores)", "bundle-code",
                                       _input(name="code", id="bundle-code"))),
        _field("Name", "bundle-name", _input(name="name", id="bundle-name", default_value=e["name"])),
        _field("Discount (%)", "bundle-discount", _input(name="discount", id="bundle-discount",
                                                           default_value=e["discount_input"], input_mode="decimal")),
        rx.el.fieldset(
            rx.el.legend("Add-ons", style={"fontSize": "0.85rem", "fontWeight": "500"}),
            *[rx.box(_check(LABELS[code], f"addon_{code}", f"bundle-{code}", S.edit_addons.contains(code)))
              for code in ADDONS],
            style={"border": "none", "padding": "0", "margin": "0"},
        ),
        _check("On sale", "active", "bundle-active", e["active"] != ""),
        spacing="3", width="100%",
    )


def _grant_form() -> rx.Component:
    return rx.vstack(
        _field("Offering", "grant-code", rx.el.select(
            *[rx.el.option(label, value=code) for code, label in LABELS.items() if not code.startswith("ppi_")],
            name="code", id="grant-code", style=SELECT_STYLE)),
        rx.grid(
            _field("First day", "grant-start", day_picker("grant-start", "start", S.edit["start"],
                                                          width="100%")),
            _field("Term (months)", "grant-months", rx.el.select(
                *[rx.el.option(m, value=m) for m in ("12", "24", "36", "48", "60")], name="months",
                id="grant-months", style=SELECT_STYLE)),
            columns="2", spacing="3", width="100%",
        ),
        rx.el.fieldset(
            rx.el.legend("Regions (Multi-Regional)", style={"fontSize": "0.85rem", "fontWeight": "500"}),
            rx.foreach(S.regions, lambda c: _check(c, "region_" + c, "grant-region-" + c, False)),
            style={"border": "none", "padding": "0", "margin": "0"},
        ),
        _field("Versions (Extended-Term, comma separated)", "grant-versions",
               _input(name="versions", id="grant-versions")),
        _field("Note (e.g. the contract)", "grant-note", _input(name="note", id="grant-note", max_length=300)),
        spacing="3", width="100%",
    )


def _revoke_form() -> rx.Component:
    return _field("Reason (kept in the audit log)", "revoke-reason",
                  _input(name="reason", id="revoke-reason", max_length=300))


def _regions_form() -> rx.Component:
    return rx.vstack(
        _field("Home region (where the software was bought)", "regions-home", rx.el.select(
            rx.foreach(S.regions, lambda c: rx.el.option(c, value=c)), name="home", id="regions-home",
            default_value=S.edit["home"], style=SELECT_STYLE)),
        rx.el.fieldset(
            rx.el.legend("Other regions", style={"fontSize": "0.85rem", "fontWeight": "500"}),
            rx.foreach(S.regions, lambda c: _check(c, "region_" + c, "regions-extra-" + c, S.org_extra.contains(c))),
            style={"border": "none", "padding": "0", "margin": "0"},
        ),
        spacing="3", width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.edit["title"]),
            rx.dialog.description("Every change is recorded in the audit log.", size="2", color=MUTED),
            rx.form(
                rx.vstack(
                    error_callout(S.dialog_error),
                    rx.match(S.dialog, ("offering", _offering_form()), ("bundle", _bundle_form()),
                             ("grant", _grant_form()), ("revoke", _revoke_form()), ("regions", _regions_form()),
                             rx.fragment()),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.cond(S.dialog == "revoke",
                                rx.button("Revoke", type="submit", color_scheme="red", id="plans-revoke"),
                                rx.button("Save", type="submit", id="plans-save")),
                        justify="end", spacing="3", width="100%",
                    ),
                    spacing="3", width="100%", margin_top="1rem",
                ),
                on_submit=S.save, reset_on_submit=False, aria_label=S.edit["title"], key=S.edit_key.to_string(),
            ),
            max_width="36rem",
        ),
        open=S.dialog != "",
        on_open_change=S.set_dialog_open,
    )


@rx.page(route=routes.STAFF_PLANS, title="Plans · OpsPortal", on_load=S.load)
def staff_plans_page() -> rx.Component:
    return app_shell(
        "Support plans",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                error_callout(S.error),
                rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", role="status",
                                                   width="100%")),
                _catalog(),
                _organization(),
                _audit(),
                _dialog(),
                spacing="5", width="100%",
            ),
        ),
    )
