"""Updates: the bell's full history (replies, status changes and dispute answers on your tickets), newest first."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.state.auth import AuthState
from opsportal.state.bell import BellState
from opsportal.state.updates import UpdatesState as S

MUTED = rx.color("gray", 11)


def _row(line: rx.Var) -> rx.Component:
    new = line["new"] != ""
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.link(line["title"], href=line["link"], weight=rx.cond(new, "bold", "medium"), size="3",
                            color=rx.color("accent", 11), underline="always", overflow_wrap="anywhere"),
                    rx.cond(new, rx.badge("New", color_scheme="blue", variant="soft", high_contrast=True)),
                    spacing="2", align="center", wrap="wrap",
                ),
                rx.cond(line["text"] != "", rx.text(line["text"], size="2", color=rx.color("gray", 12),
                                                    overflow_wrap="anywhere")),
                rx.text(line["when"], size="1", color=MUTED),
                spacing="1", min_width="0", width="100%",
            ),
            rx.cond(new, rx.button("Mark as read", on_click=S.mark_read(line["id"]), variant="soft", size="1",
                                   color_scheme="gray", high_contrast=True,
                                   aria_label="Mark as read: " + line["title"])),
            spacing="3", align="start", width="100%",
        ),
        list_style="none",
        padding_y="0.75rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


@rx.page(route=routes.UPDATES, title="Updates · OpsPortal", on_load=S.load)
def updates_page() -> rx.Component:
    return app_shell(
        "Updates",
        rx.hstack(
            rx.text(rx.cond(AuthState.is_staff, "Customers' replies on the tasks assigned to you, newest first. ",
                            "Replies, status changes and dispute answers on your tickets, newest first. "),
                    "Opening a task, or the list under the bell in the header, marks its updates read.",
                    rx.cond(AuthState.is_staff, "", rx.fragment(
                        " E-mail notices are set on the ",
                        rx.link("Notifications", href=routes.NOTIFICATIONS, underline="always",
                                color=rx.color("accent", 11)), " page.")),
                    size="2", color=MUTED),
            rx.spacer(),
            rx.button(rx.icon("check-check", size=16, aria_hidden="true"), "Mark all as read",
                      on_click=S.mark_all_read, variant="soft", id="updates-mark-all", disabled=BellState.unread == 0),
            spacing="4", width="100%", wrap="wrap", align="center",
        ),
        error_callout(S.error),
        rx.cond(
            S.total > 0,
            rx.el.ul(rx.foreach(S.rows, _row), aria_label="Updates", margin="0", padding="0", width="100%",
                     id="updates-list"),
            rx.cond(S.loaded, rx.text("No updates yet. When the support team replies on one of your tickets or "
                                      "changes its status, it shows here and under the bell in the header.",
                                      size="2", color=MUTED)),
        ),
        pager(S),
    )
