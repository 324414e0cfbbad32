"""Activity: the organization's audit log for its owners and administrators, every organization's for staff."""

import reflex as rx

from opsportal import routes
from opsportal.components.backend import backend_link
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, phone_only, secondary_cell, secondary_header
from opsportal.domain.audit import AuditAction
from opsportal.state.activity import ActivityState as S

MUTED = rx.color("gray", 11)


def _row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["when"], white_space=["normal", "nowrap"]),  # phones wrap it: the key columns fit
        rx.table.cell(e["who"]),
        rx.table.cell(rx.vstack(rx.text(e["what"], size="2"),
                                # Phones leave out the details and the address columns: they show under the action.
                                phone_only(rx.cond(e["details"] != "", rx.text(e["details"], size="1", color=MUTED)),
                                           rx.cond(e["from"] != "", rx.text("From ", e["from"], size="1",
                                                                            color=MUTED)),
                                           rx.cond(S.is_staff_view, rx.text(e["organization"], size="1",
                                                                            color=MUTED)),
                                           overflow_wrap="anywhere"),
                                spacing="1")),
        secondary_cell(rx.cond(e["details"] != "", e["details"], "—"), overflow_wrap="anywhere"),
        secondary_cell(rx.cond(e["from"] != "", e["from"], "—"), white_space="nowrap"),
        rx.cond(S.is_staff_view, secondary_cell(e["organization"])),
    )


def _select(label: str, control_id: str, *options, value, on_change) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        rx.el.select(*options, id=control_id, value=value, on_change=on_change, style=SELECT_STYLE),
        spacing="1")


def _filters() -> rx.Component:
    return rx.hstack(
        rx.cond(S.is_staff_view, _select(
            "Organization", "activity-org", rx.el.option("All organizations", value=""),
            rx.foreach(S.organizations, lambda o: rx.el.option(o["label"], value=o["value"])),
            value=S.org_filter, on_change=S.set_organization)),
        _select("Action", "activity-action", rx.el.option("All actions", value=""),
                *[rx.el.option(a.label, value=a.value) for a in AuditAction],
                value=S.action_filter, on_change=S.set_action),
        _select("Person", "activity-person", rx.el.option("Everyone", value=""),
                rx.foreach(S.people, lambda p: rx.el.option(p["label"], value=p["value"])),
                value=S.person_filter, on_change=S.set_person),
        rx.spacer(),
        backend_link(rx.icon("download", size=16, aria_hidden="true"), "Download CSV", path=S.csv_url,
                     id="activity-csv", download=True, size="2", display="inline-flex", align_items="center",
                     gap="0.35rem"),
        spacing="4", width="100%", wrap="wrap", align="end",
    )


@rx.page(route=routes.ACTIVITY, title="Activity · OpsPortal", on_load=S.load)
def activity_page() -> rx.Component:
    return app_shell(
        "Activity",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.hstack(
                    rx.text(rx.cond(S.is_staff_view,
                                    "Who did what in every organization, newest first: sign-ins, credit allocations, "
                                    "notification choices, invitations, payments, roles and passwords.",
                                    "Who in your organization did what, newest first: sign-ins (and failed ones), "
                                    "credit allocations, notification choices, invitations, payments, roles and "
                                    "passwords."),
                            size="2", color=MUTED),
                    rx.spacer(),
                    rx.button(rx.icon("refresh-cw", size=16, aria_hidden="true"), "Refresh", on_click=S.refresh,
                              variant="soft", aria_label="Refresh the activity"),
                    align="center", width="100%", spacing="3",
                ),
                _filters(),
                error_callout(S.error),
                rx.card(
                    rx.vstack(
                        rx.text(S.total, rx.cond(S.total == 1, " event", " events"), size="2", id="activity-total",
                                aria_live="polite"),
                        rx.cond(
                            S.rows.length() > 0,
                            rx.box(rx.table.root(
                                hidden_caption("Activity, newest first"),
                                rx.table.header(rx.table.row(
                                    rx.table.column_header_cell("When"), rx.table.column_header_cell("Who"),
                                    rx.table.column_header_cell("What"), secondary_header("Details"),
                                    secondary_header("From"),
                                    rx.cond(S.is_staff_view, secondary_header("Organization")))),
                                rx.table.body(rx.foreach(S.rows, _row)),
                                width="100%",
                                id="activity-list",
                            ), width="100%"),
                            rx.text("Nothing recorded yet (or nothing matches the filters).", size="2",
                                    color=MUTED),
                        ),
                        pager(S),
                        spacing="3", width="100%",
                    ),
                    width="100%",
                ),
                spacing="4", width="100%",
            ),
        ),
    )
