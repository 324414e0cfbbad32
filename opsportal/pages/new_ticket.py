import reflex as rx

from opsportal import routes
from opsportal.components.attachments import file_picker, send_with_files
from opsportal.components.forms import SELECT_STYLE, described_by, field, invalid, problem_summary
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.support_lines import phone_lines
from opsportal.state.new_ticket import CATEGORY_OPTIONS, PRIORITY_OPTIONS, NewTicketState
from opsportal.state.support import SupportState

MUTED = rx.color("gray", 11)


def _form() -> rx.Component:
    s = NewTicketState
    return rx.form(
        rx.vstack(
            field("Subject", "ticket-subject", rx.input(
                id="ticket-subject", name="subject", value=s.subject, on_change=s.type_subject,
                placeholder="e.g. VPN disconnects every few minutes", width="100%", size="3", auto_complete="off",
                aria_required="true", aria_describedby=described_by("ticket-subject"),
                aria_invalid=invalid(s.problems, "subject")),
                s.problems, "subject"),
            rx.grid(
                field("Category", "ticket-category", rx.el.select(
                    rx.el.option("Choose a category", value=""),
                    *[rx.el.option(c, value=c) for c in CATEGORY_OPTIONS],
                    id="ticket-category", name="category", value=s.category, on_change=s.choose_category,
                    style=SELECT_STYLE,
                    aria_required="true", aria_describedby=described_by("ticket-category"),
                    aria_invalid=invalid(s.problems, "category")),
                    s.problems, "category"),
                field("Priority", "ticket-priority", rx.el.select(
                    *[rx.el.option(p["label"], value=p["value"]) for p in PRIORITY_OPTIONS],
                    id="ticket-priority", name="priority", value=s.priority, on_change=s.choose_priority,
                    style=SELECT_STYLE,
                    aria_describedby=described_by("ticket-priority", hint=True),
                    aria_invalid=invalid(s.problems, "priority")),
                    s.problems, "priority", hint="High: a team or site is affected. Urgent: the business is stopped.",
                    hint_after=True),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            field("Description", "ticket-description", rx.text_area(
                id="ticket-description", name="description", value=s.description, on_change=s.type_description,
                rows="8", width="100%", aria_required="true",
                aria_describedby=described_by("ticket-description", hint=True),
                aria_invalid=invalid(s.problems, "description")),
                s.problems, "description",
                hint="What happens, the exact error message, since when, and who is affected."),
            file_picker(s, id_prefix="ticket", label="Attach files (optional: screenshots, logs, documents)"),
            rx.button(rx.icon("send", size=16, aria_hidden="true"), "Submit ticket", type="submit", size="3",
                      loading=s.uploading),
            spacing="4",
            width="100%",
        ),
        on_submit=send_with_files(s.submit_with_files, s),
        reset_on_submit=False,
        aria_label="Submit a ticket",
        width="100%",
    )


def _suggestion(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.link(
            rx.hstack(rx.icon("book-open", size=16, aria_hidden="true", flex_shrink="0"), rx.text(item["title"]),
                      rx.icon("external-link", size=14, aria_hidden="true", flex_shrink="0"),
                      spacing="2", align="start"),
            href=item["href"], is_external=True, aria_label=item["title"] + " (opens in a new tab)",
        ),
        rx.text(item["category"], size="1", color=MUTED, padding_left="1.5rem"),
        margin_bottom="0.6rem",
    )


def _suggestions() -> rx.Component:
    s = NewTicketState
    return rx.box(
        rx.cond(
            s.suggestions.length() > 0,
            rx.card(
                rx.vstack(
                    rx.heading("These articles may already answer your question", size="3", as_="h2"),
                    rx.el.ul(rx.foreach(s.suggestions, _suggestion), padding="0", margin="0", list_style="none",
                             width="100%"),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
                background=rx.color("indigo", 2),
            ),
            rx.text("As you describe the problem, articles from the ",
                    rx.link("knowledge base", href=routes.KB, underline="always"), " that may help appear here.",
                    size="2", color=MUTED),
        ),
        aria_live="polite",
        id="ticket-suggestions",
        width="100%",
        # Beside the form on wide screens; above it on narrow ones, where below would be out of sight.
        order=rx.breakpoints(initial="-1", lg="0"),
    )


@rx.page(route=routes.NEW_TICKET, title="Submit a ticket · OpsPortal", on_load=[NewTicketState.load, SupportState.load])
def new_ticket_page() -> rx.Component:
    s = NewTicketState
    return app_shell(
        "Submit a ticket",
        rx.cond(
            s.is_customer,
            rx.vstack(
                rx.text("Tell us what is wrong. An agent picks the ticket up in business hours, or at once for "
                        "urgent problems.", size="3", color=MUTED),
                problem_summary(s.summary, "The ticket was not submitted. Please correct:"),
                error_callout(s.error),
                rx.grid(
                    rx.card(_form(), width="100%"),
                    _suggestions(),
                    columns=rx.breakpoints(initial="1", lg="3fr 2fr"),
                    spacing="5",
                    width="100%",
                    align_items="start",
                ),
                rx.card(phone_lines(heading_size="3"), width="100%"),  # urgent? call, when the line is open
                spacing="4",
                width="100%",
            ),
            rx.callout(
                rx.text("Customers submit tickets here. Support staff open and work tickets from the ",
                        rx.link("staff queue", href=routes.STAFF_QUEUE, underline="always"), "."),
                icon="info", width="100%",
            ),
        ),
    )
