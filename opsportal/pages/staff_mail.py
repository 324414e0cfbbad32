"""Staff: the outbox, every e-mail the portal sent or failed to send, filtered by recipient or status, and one message
with its HTML (sandboxed) and text versions."""

import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.pages.staff_mail_received import mail_tabs
from opsportal.state.staff_mail import StaffMailMessageState as M
from opsportal.state.staff_mail import StaffMailState as S

MUTED = rx.color("gray", 11)


def _row(m: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m["date"], white_space="nowrap"),
        secondary_cell(m["to"], word_break="break-all"),
        rx.table.cell(rx.link(m["subject"], href="/staff/mail/" + m["id"])),
        secondary_cell(m["kind"]),
        secondary_cell(m["organization"]),
        rx.table.cell(rx.vstack(rx.badge(m["status_label"], color_scheme=m["color"]),
                                rx.cond(m["error"] != "", rx.text(m["error"], size="1", color=MUTED)),
                                spacing="1")),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label("Recipient", html_for="mail-recipient", font_size="0.875rem", font_weight="500"),
            rx.input(id="mail-recipient", type="search", placeholder="Address or part of it", value=S.recipient,
                     on_change=S.set_recipient.debounce(300), width="100%"),
            spacing="1", width="100%", max_width="20rem"),
        rx.vstack(
            rx.el.label("Status", html_for="mail-status", font_size="0.875rem", font_weight="500"),
            rx.el.select(rx.el.option("All messages", value=""), rx.el.option("Sent", value="sent"),
                         rx.el.option("Failed", value="failed"),
                         id="mail-status", value=S.status_filter, on_change=S.set_status, style=SELECT_STYLE),
            spacing="1"),
        spacing="4", width="100%", wrap="wrap", align="end",
    )


@rx.page(route=routes.STAFF_MAIL, title="Mail · OpsPortal", on_load=S.load)
def staff_mail_page() -> rx.Component:
    return app_shell(
        "Mail",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                mail_tabs(routes.STAFF_MAIL),
                rx.hstack(
                    rx.text("Every e-mail the portal sent or tried to send: notices, password resets, invitations, "
                            "invoice reminders. Sent means the mail server took it. Newest first.", size="2",
                            color=MUTED),
                    rx.spacer(),
                    rx.button(rx.icon("refresh-cw", size=16, aria_hidden="true"), "Refresh", on_click=S.refresh,
                              variant="soft"),
                    align="center", width="100%", spacing="3",
                ),
                _filters(),
                error_callout(S.error),
                rx.card(
                    rx.vstack(
                        rx.text(S.total, " messages", size="2", id="mail-total"),
                        rx.cond(
                            S.rows.length() > 0,
                            rx.box(rx.table.root(
                                hidden_caption("E-mails the portal sent, newest first"),
                                rx.table.header(rx.table.row(
                                    rx.table.column_header_cell("Date"), secondary_header("To"),
                                    rx.table.column_header_cell("Subject"), secondary_header("Kind"),
                                    secondary_header("Organization"), rx.table.column_header_cell("Status"))),
                                rx.table.body(rx.foreach(S.rows, _row)),
                                width="100%",
                                id="mail-list",
                            ), overflow_x="auto", width="100%"),
                            rx.text("No messages. They appear here once the portal sends some, e.g. after "
                                    "`opsportal notify weekly`, a password reset or an invitation (or none match "
                                    "the filters).", size="2", color=MUTED),
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


def _segment(s: rx.Var) -> rx.Component:
    return rx.cond(s["href"] != "", rx.link(s["text"], href=s["href"], is_external=True, underline="always"),
                   rx.text.span(s["text"]))


@rx.page(route=routes.STAFF_MAIL_MESSAGE, title="Message · Mail · OpsPortal", on_load=M.load)
def staff_mail_message_page() -> rx.Component:
    return app_shell(
        "Mail",
        error_callout(M.denied),
        rx.cond(
            M.allowed,
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text("All mail"),
                                  spacing="1", align="center"), href=routes.STAFF_MAIL, size="2"),
                error_callout(M.error),
                rx.cond(
                    M.subject != "",
                    rx.vstack(
                        rx.heading(M.subject, size="5", as_="h2", id="mail-subject"),
                        rx.data_list.root(
                            rx.foreach(M.summary, lambda h: rx.data_list.item(rx.data_list.label(h["name"]),
                                                                              rx.data_list.value(h["value"]))),
                        ),
                        rx.cond(M.failure != "", rx.callout(
                            rx.text("The mail server did not take this message: ", M.failure),
                            icon="triangle-alert", color_scheme="red", role="alert", id="mail-failure", width="100%")),
                        rx.tabs.root(
                            rx.tabs.list(rx.tabs.trigger("HTML", value="html"), rx.tabs.trigger("Text", value="text")),
                            rx.tabs.content(
                                rx.cond(
                                    M.html != "",
                                    # Untrusted markup: an iframe with every sandbox restriction (no scripts, no
                                    # forms, no navigation, its own origin); never part of this page's DOM.
                                    rx.el.iframe(src_doc=M.html, sandbox="", title="The message's HTML version",
                                                 referrer_policy="no-referrer", id="mail-html",
                                                 style={"width": "100%", "height": "40rem", "border":
                                                        f"1px solid {rx.color('gray', 6)}", "border_radius": "6px",
                                                        "background": "white"}),
                                    rx.text("This message has no HTML version.", size="2", color=MUTED),
                                ),
                                rx.text("Links in the HTML version do nothing here (it is shown sandboxed); open "
                                        "them from the Text tab.", size="1", color=MUTED, margin_top="0.5rem"),
                                value="html", padding_top="1rem",
                            ),
                            rx.tabs.content(
                                rx.box(rx.foreach(M.text, _segment), id="mail-text", white_space="pre-wrap",
                                       font_family="ui-monospace, SFMono-Regular, Menlo, monospace",
                                       font_size="0.875rem", padding="1rem", border_radius="6px",
                                       background=rx.color("gray", 2), overflow_wrap="anywhere", width="100%"),
                                value="text", padding_top="1rem",
                            ),
                            default_value="html",
                            width="100%",
                        ),
                        spacing="3", width="100%",
                    ),
                ),
                spacing="4", width="100%",
            ),
        ),
    )
