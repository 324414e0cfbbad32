"""Staff: the mail the portal sent, as the local SMTP sink caught it (the demo's users read their e-mails here)."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption
from opsportal.state.staff_mail import StaffMailMessageState as M
from opsportal.state.staff_mail import StaffMailState as S

MUTED = rx.color("gray", 11)


def _row(m: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m["date"], white_space="nowrap"),
        rx.table.cell(m["to"]),
        rx.table.cell(rx.link(m["subject"], href="/staff/mail/" + m["id"])),
    )


@rx.page(route=routes.STAFF_MAIL, title="Mail · OpsPortal", on_load=S.load)
def staff_mail_page() -> rx.Component:
    return app_shell(
        "Mail",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.hstack(
                    rx.text("Every e-mail the portal sent, as the local mail catcher received it: nothing here left "
                            "this machine. Newest first.", size="2", color=MUTED),
                    rx.spacer(),
                    rx.button(rx.icon("refresh-cw", size=16, aria_hidden="true"), "Refresh", on_click=S.refresh,
                              variant="soft"),
                    align="center", width="100%", spacing="3",
                ),
                error_callout(S.error),
                rx.card(
                    rx.vstack(
                        rx.text(S.total, " messages", size="2", id="mail-total"),
                        rx.cond(
                            S.rows.length() > 0,
                            rx.box(rx.table.root(
                                hidden_caption("Caught e-mails, newest first"),
                                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                                    "Date", "To", "Subject")])),
                                rx.table.body(rx.foreach(S.rows, _row)),
                                width="100%",
                                id="mail-list",
                            ), overflow_x="auto", width="100%"),
                            rx.text("No mail yet. Messages appear here once the portal sends some, e.g. after "
                                    "`opsportal notify weekly`, a password reset or an invitation.", size="2",
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


def _segment(s: rx.Var) -> rx.Component:
    return rx.cond(s["href"] != "", rx.link(s["text"], href=s["href"], is_external=True, underline="always"),
                   rx.text.span(s["text"]))


def _header_row(h: rx.Var) -> rx.Component:
    return rx.table.row(rx.table.row_header_cell(h["name"], white_space="nowrap"),
                        rx.table.cell(h["value"], word_break="break-all"))


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
                        rx.tabs.root(
                            rx.tabs.list(rx.tabs.trigger("HTML", value="html"), rx.tabs.trigger("Text", value="text"),
                                         rx.tabs.trigger("Headers", value="headers")),
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
                            rx.tabs.content(
                                rx.box(rx.table.root(
                                    hidden_caption("Every header of the message"),
                                    rx.table.body(rx.foreach(M.headers, _header_row)),
                                    size="1", width="100%",
                                ), overflow_x="auto", width="100%"),
                                value="headers", padding_top="1rem",
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
