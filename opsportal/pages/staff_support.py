"""Staff: support phone numbers and business hours per region; the support terms' versions and acceptances."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.public import status_callout
from opsportal.state.staff_support import DAY_NAMES
from opsportal.state.staff_support import StaffSupportState as S

MUTED = rx.color("gray", 11)
_LABEL = {"fontSize": "0.85rem", "fontWeight": "500"}


def _phone(p: rx.Var, code) -> rx.Component:
    return rx.cond(p["region"] == code, rx.hstack(
        rx.text(p["label"], ": ", rx.text.strong(p["number"]), size="2"),
        rx.cond(S.may_edit, rx.button("Remove", on_click=S.remove_phone(p["id"]), size="1", variant="soft",
                                      color_scheme="red", aria_label="Remove " + p["label"] + " " + p["number"])),
        spacing="2", align="center"))


def _add_phone_form(code) -> rx.Component:
    fid = "phone-" + code
    return rx.form(rx.hstack(
        rx.el.input(type="hidden", name="region", value=code),
        rx.vstack(rx.el.label("Label", html_for=fid + "-label", style=_LABEL),
                  rx.input(id=fid + "-label", name="label", placeholder="Main line", max_length=80), spacing="1"),
        rx.vstack(rx.el.label("Number (international, with +)", html_for=fid + "-number", style=_LABEL),
                  rx.input(id=fid + "-number", name="number", placeholder="+44 20 7946 0321", type="tel",
                           max_length=30), spacing="1"),
        rx.button("Add number", type="submit", size="2", aria_label="Add number to " + code),
        spacing="2", align="end", wrap="wrap"), on_submit=S.add_phone, reset_on_submit=False)


def _hours_form(r: rx.Var) -> rx.Component:
    fid = "hours-" + r["code"]
    return rx.form(rx.hstack(
        rx.el.input(type="hidden", name="region", value=r["code"]),
        rx.vstack(rx.el.label("Opens", html_for=fid + "-start", style=_LABEL),
                  rx.input(id=fid + "-start", name="start", default_value=r["start"], type="time"), spacing="1"),
        rx.vstack(rx.el.label("Closes", html_for=fid + "-end", style=_LABEL),
                  rx.input(id=fid + "-end", name="end", default_value=r["end"], type="time"), spacing="1"),
        rx.el.fieldset(
            rx.el.legend("Business days", style=_LABEL),
            rx.hstack(*[rx.el.label(rx.el.input(type="checkbox", name=f"day_{d}", id=fid + f"-day-{d}",
                                                default_checked=r["days"].contains(f",{d},")),
                                    " ", name, html_for=fid + f"-day-{d}") for d, name in enumerate(DAY_NAMES)],
                      spacing="2", wrap="wrap"),
            style={"border": "none", "padding": "0", "margin": "0"}),
        rx.button("Save hours", type="submit", size="2", variant="soft", aria_label="Save hours of " + r["code"]),
        spacing="3", align="end", wrap="wrap"), on_submit=S.save_hours, reset_on_submit=False)


def _region(r: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(r["name"], " (", r["code"], ")", size="3", as_="h3"),
        rx.text("Business hours: ", r["hours"], size="2", color=MUTED),
        rx.vstack(rx.foreach(S.phones, lambda p: _phone(p, r["code"])), spacing="1"),
        rx.cond(S.may_edit, rx.vstack(_add_phone_form(r["code"]), _hours_form(r), spacing="3", width="100%")),
        spacing="2", width="100%",
    ), width="100%", id="staff-region-" + r["code"])


def _publish_form() -> rx.Component:
    return rx.form(rx.vstack(
        rx.heading("Publish a new version", size="3", as_="h3"),
        rx.el.label("Title", html_for="terms-title", style=_LABEL),
        rx.input(id="terms-title", name="title", default_value="Terms and conditions for K2 support and maintenance",
                 width="100%"),
        rx.el.label("What changed (shown with the version)", html_for="terms-summary", style=_LABEL),
        rx.input(id="terms-summary", name="summary", width="100%"),
        rx.el.label("Text (Markdown; no HTML)", html_for="terms-body", style=_LABEL),
        rx.text_area(id="terms-body", name="body", rows="12", width="100%"),
        rx.button("Publish version", type="submit"),
        spacing="2", width="100%"), on_submit=S.publish, reset_on_submit=False)


def _terms() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Support terms", size="4", as_="h2"),
        rx.text(rx.cond(S.current_version != "", "Current version: " + S.current_version + ". ",
                        "No version is published: customers cannot buy plans until one is. "),
                rx.link("Read them as customers do", href=routes.TERMS, underline="always"), size="2"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("Version", "Published", "By", "Changes", "Accepted")])),
            rx.table.body(rx.foreach(S.versions, lambda v: rx.table.row(
                rx.table.row_header_cell(rx.link(v["version"], href=routes.TERMS + "?version=" + v["version"])),
                rx.table.cell(v["published"], white_space="nowrap"), rx.table.cell(v["by"]),
                rx.table.cell(v["summary"]), rx.table.cell(v["accepted"])))),
            width="100%", aria_label="Versions of the support terms"), overflow_x="auto", width="100%"),
        rx.cond(S.may_edit, _publish_form()),
        spacing="3", width="100%"), width="100%", id="staff-terms")


def _acceptances() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Acceptances", size="4", as_="h2"),
        rx.text(S.total.to_string(), " purchases accepted the terms.", size="2", color=MUTED),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("When", "Organization", "Who", "Version", "Bought")])),
            rx.table.body(rx.foreach(S.acceptances, lambda a: rx.table.row(
                rx.table.cell(a["when"], white_space="nowrap"), rx.table.row_header_cell(a["organization"]),
                rx.table.cell(a["user"]), rx.table.cell(a["version"]), rx.table.cell(a["purchase"])))),
            width="100%", aria_label="Acceptances of the support terms", id="terms-acceptances"),
            overflow_x="auto", width="100%"),
        pager(S),
        spacing="3", width="100%"), width="100%")


@rx.page(route=routes.STAFF_SUPPORT, title="Phones & terms · OpsPortal", on_load=S.load)
def staff_support_page() -> rx.Component:
    return app_shell(
        "Phone support and terms",
        rx.cond(S.denied != "", rx.callout(S.denied, icon="lock", color_scheme="red", width="100%")),
        error_callout(S.error),
        status_callout(S.notice),
        rx.cond(S.allowed, rx.vstack(
            rx.heading("Phone numbers and business hours", size="4", as_="h2"),
            rx.text("A region's business hours are when Gold Support and its phone lines are open there.", size="2",
                    color=MUTED),
            rx.grid(rx.foreach(S.regions, _region), columns=rx.breakpoints(initial="1", lg="2"), spacing="3",
                    width="100%"),
            _terms(),
            _acceptances(),
            spacing="4", width="100%")),
    )
