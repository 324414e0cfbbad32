"""Notifications: switch each e-mail on or off; owners and administrators see who in the organization gets what."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import VISUALLY_HIDDEN, hidden_caption, phone_only, wide_only
from opsportal.state.notifications import KINDS, ON
from opsportal.state.notifications import NotificationsState as S

MUTED = rx.color("gray", 11)


def ok_callout(message) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="check", color_scheme="green", high_contrast=True,
                                             role="status", width="100%", id="notifications-message"))


def _subscription(s: rx.Var) -> rx.Component:
    control_id = "notify-" + s["kind"]
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.el.label(s["label"], html_for=control_id, font_weight="600", font_size="1rem",
                            id=control_id + "-label"),
                rx.text(s["description"], size="2", color=MUTED, id=control_id + "-description"),
                rx.cond(s["note"] != "", rx.text(s["note"], size="1", color=MUTED)),
                spacing="1",
                flex="1",
            ),
            rx.hstack(
                rx.text(rx.cond(s["on"] == ON, "On", "Off"), size="2", weight="medium", aria_hidden="true"),
                rx.switch(id=control_id, checked=s["on"] == ON,
                          on_change=lambda value: S.toggle(s["kind"], value),
                          aria_describedby=control_id + "-description", size="3"),
                spacing="2",
                align="center",
            ),
            align="center",
            spacing="4",
            width="100%",
        ),
        padding_y="0.9rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _member_cell(m: rx.Var, kind) -> rx.Component:
    value = m[kind.value]
    return rx.table.cell(rx.center(
        rx.cond(
            value == "",
            rx.fragment(rx.text("—", color=MUTED, aria_hidden="true"),
                        rx.el.span("Not offered to this role", style=VISUALLY_HIDDEN)),
            rx.checkbox(checked=value == ON, on_change=lambda checked: S.toggle_member(m["user_id"], kind.value,
                                                                                     checked),
                        aria_label=kind.label + " for " + m["name"]),
        ),
    ))


def _member_choice(m: rx.Var, kind) -> rx.Component:
    """One notice of one colleague on a phone: the notice's name beside its checkbox (no column to name it)."""
    value = m[kind.value]
    return rx.cond(
        value == "",
        rx.text(kind.label, ": not offered to this role", size="2", color=MUTED),
        rx.el.label(rx.hstack(
            rx.checkbox(checked=value == ON, aria_label=kind.label + " for " + m["name"],
                        on_change=lambda checked: S.toggle_member(m["user_id"], kind.value, checked)),
            rx.text(kind.label, size="2"), spacing="2", align="center")),
    )


def _member_card(m: rx.Var) -> rx.Component:
    """A colleague's row as phones show it: the table's one column per notice does not fit 390 px."""
    return rx.vstack(
        rx.text(m["name"], rx.cond(m["me"] == "yes", " (you)", ""), " · ", m["role"], weight="medium", size="2"),
        rx.text(m["email"], size="1", color=MUTED, word_break="break-all"),
        *[_member_choice(m, kind) for kind in KINDS],
        spacing="1", width="100%", padding_y="0.6rem", border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _member_row(m: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(
            rx.text(m["name"], rx.cond(m["me"] == "yes", " (you)", ""), weight="medium", size="2"),
            rx.text(m["email"], size="1", color=MUTED),
            spacing="0",
        )),
        rx.table.cell(m["role"]),
        *[_member_cell(m, kind) for kind in KINDS],
    )


def _organization_table() -> rx.Component:
    return rx.cond(
        S.is_manager,
        rx.card(
            rx.vstack(
                rx.heading("Who receives what in ", S.org_name, size="4", as_="h2"),
                rx.text("As an owner or administrator you can change your colleagues' subscriptions too. "
                        "Members are not offered invoice reminders.", size="2", color=MUTED),
                phone_only(rx.foreach(S.members, _member_card), id="organization-subscriptions-cards",
                           width="100%"),
                wide_only(rx.table.root(
                    hidden_caption("Notification subscriptions of the organization's users"),
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("User"),
                        rx.table.column_header_cell("Role"),
                        *[rx.table.column_header_cell(kind.label, text_align="center") for kind in KINDS],
                    )),
                    rx.table.body(rx.foreach(S.members, _member_row)),
                    width="100%",
                    id="organization-subscriptions",
                ), overflow_x="auto", width="100%"),
                pager(S),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_title),
            rx.alert_dialog.description(S.confirm_text, size="2"),
            rx.text("Unsubscribe anyway?", size="3", weight="bold", margin_top="0.75rem"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray", high_contrast=True)),
                rx.button("Unsubscribe", color_scheme="red", high_contrast=True, on_click=S.confirm_unsubscribe),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="32rem",
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


@rx.page(route=routes.NOTIFICATIONS, title="Notifications · OpsPortal", on_load=S.load)
def notifications_page() -> rx.Component:
    return app_shell(
        "Notifications",
        error_callout(S.denied),
        rx.cond(S.staff_note, rx.callout(
            rx.text("Notifications are e-mailed to customer users; staff accounts have none. The e-mails the portal "
                    "sent are under ", rx.link("Mail", href=routes.STAFF_MAIL, underline="always"), "."),
            icon="info", color_scheme="blue", high_contrast=True, width="100%")),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.text("E-mails about your organization's credits, support hours and invoices. Every e-mail has a "
                        "link that unsubscribes you from it in one click, without signing in.", size="2",
                        color=MUTED),
                error_callout(S.error),
                ok_callout(S.message),
                rx.card(
                    rx.vstack(
                        rx.heading("Your e-mails", size="4", as_="h2"),
                        rx.box(rx.foreach(S.mine, _subscription), width="100%", id="my-subscriptions"),
                        spacing="2",
                        width="100%",
                    ),
                    width="100%",
                ),
                _organization_table(),
                _confirm_dialog(),
                spacing="4",
                width="100%",
            ),
        ),
    )
