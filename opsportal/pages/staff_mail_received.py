"""Staff: Mail, Received: the support mailbox's log (replies added as comments, tickets opened by e-mail, refusals
with their reason)."""

import reflex as rx

from opsportal import routes
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.state.staff_mail_received import OUTCOMES
from opsportal.state.staff_mail_received import StaffMailReceivedState as S

MUTED = rx.color("gray", 11)


def mail_tabs(current: str) -> rx.Component:
    """Sent (the outbox) and Received (the support mailbox), as two links; the current one is marked."""
    def tab(text: str, href: str) -> rx.Component:
        if href == current:
            return rx.text(text, weight="bold", size="3")
        return rx.link(text, href=href, underline="always", size="3")

    return rx.hstack(tab("Sent", routes.STAFF_MAIL), rx.text("·", color=MUTED, aria_hidden="true"),
                     tab("Received", routes.STAFF_MAIL_RECEIVED), spacing="2", align="center", role="navigation",
                     aria_label="Mail")


def _row(m: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m["date"], white_space="nowrap"),
        rx.table.cell(m["from"], word_break="break-all"),
        secondary_cell(m["to"], word_break="break-all"),
        rx.table.cell(m["subject"]),
        rx.table.cell(rx.cond(m["task_href"] != "", rx.link(m["task"], href=m["task_href"]), rx.text(m["task"]))),
        secondary_cell(m["organization"]),
        rx.table.cell(rx.vstack(rx.badge(m["outcome"], color_scheme=m["color"]),
                                rx.text(m["reason"], size="1", color=MUTED), spacing="1")),
    )


@rx.page(route=routes.STAFF_MAIL_RECEIVED, title="Received mail · Mail · OpsPortal", on_load=S.load)
def staff_mail_received_page() -> rx.Component:
    options = [rx.el.option("All messages", value="")] + [rx.el.option(label, value=code)
                                                          for code, (label, _) in OUTCOMES.items()]
    return app_shell(
        "Mail",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                mail_tabs(routes.STAFF_MAIL_RECEIVED),
                rx.hstack(
                    rx.text("Every e-mail the support mailbox received: replies to ticket e-mails become the sender's "
                            "comment, mail to the support address from a customer opens a ticket, anything else is "
                            "refused and kept here with the reason. Newest first.", size="2", color=MUTED),
                    rx.spacer(),
                    rx.button(rx.icon("refresh-cw", size=16, aria_hidden="true"), "Refresh", on_click=S.refresh,
                              variant="soft"),
                    align="center", width="100%", spacing="3",
                ),
                rx.vstack(
                    rx.el.label("Outcome", html_for="received-outcome", font_size="0.875rem", font_weight="500"),
                    rx.el.select(*options, id="received-outcome", value=S.outcome_filter, on_change=S.set_outcome,
                                 style=SELECT_STYLE),
                    spacing="1"),
                error_callout(S.error),
                rx.card(
                    rx.vstack(
                        rx.text(S.total, " messages", size="2", id="received-total"),
                        rx.cond(
                            S.rows.length() > 0,
                            rx.box(rx.table.root(
                                hidden_caption("E-mails the support mailbox received, newest first"),
                                rx.table.header(rx.table.row(
                                    rx.table.column_header_cell("Received"), rx.table.column_header_cell("From"),
                                    secondary_header("To"), rx.table.column_header_cell("Subject"),
                                    rx.table.column_header_cell("Task"), secondary_header("Sender's organization"),
                                    rx.table.column_header_cell("Outcome"))),
                                rx.table.body(rx.foreach(S.rows, _row)),
                                width="100%",
                                id="received-list",
                            ), overflow_x="auto", width="100%"),
                            rx.text("No messages. Replies to ticket e-mails and mail to the support address appear "
                                    "here (or none match the filter).", size="2", color=MUTED),
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
