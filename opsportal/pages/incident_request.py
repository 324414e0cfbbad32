"""Request pay-per-incident support: emergency now, or a scheduled after-hours window; pay before it is scheduled."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.terms_acceptance import terms_checkbox
from opsportal.state.incident_request import IncidentRequestState as S

MUTED = rx.color("gray", 11)


def _label(text: str, control_id: str) -> rx.Component:
    return rx.el.label(text, html_for=control_id, style={"fontWeight": "500", "fontSize": "0.9rem"})


def _choice(value: str, title: str, hint) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="radio", name="kind", value=value, id=f"kind-{value}", checked=S.kind == value,
                        on_change=S.set_kind(value), style={"marginTop": "0.3rem"}),
            rx.vstack(rx.text(title, weight="bold", size="2"), rx.text(hint, size="2", color=MUTED), spacing="0"),
            spacing="2", align="start",
        ),
        html_for=f"kind-{value}",
        style={"display": "block", "width": "100%", "boxSizing": "border-box", "padding": "0.75rem",
               "borderRadius": "6px", "cursor": "pointer", "border": f"1px solid {rx.color('gray', 7)}"},
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.fieldset(
                rx.el.legend("What do you need?", style={"fontWeight": "600", "marginBottom": "0.5rem"}),
                rx.vstack(
                    rx.cond(S.emergency_offered, _choice(
                        "emergency", "Emergency support now",
                        rx.text("Starts as soon as the invoice is paid. ", S.offers["emergency"]["rate"], "."))),
                    rx.cond(S.scheduled_offered, _choice(
                        "scheduled", "Scheduled after-hours window",
                        rx.text("A planned upgrade, installation or deployment outside business hours, through ",
                                S.scheduled_until, " (the last day of your Gold Support). ",
                                S.offers["scheduled"]["rate"], "."))),
                    spacing="2", width="100%",
                ),
                style={"border": "none", "padding": "0", "margin": "0", "width": "100%"},
            ),
            rx.cond(
                S.kind == "scheduled",
                rx.grid(
                    rx.vstack(_label("Date", "incident-day"),
                              rx.input(type="date", id="incident-day", name="day", default_value=S.day,
                                       on_change=S.set_day, aria_describedby="incident-when", width="100%"),
                              spacing="1"),
                    rx.vstack(_label("Start time (" + S.home_region + " local time, " + S.home_zone + ")",
                                     "incident-time"),
                              rx.input(type="time", id="incident-time", name="start_time",
                                       default_value=S.start_time, on_change=S.set_start_time,
                                       aria_describedby="incident-when", width="100%"), spacing="1"),
                    rx.text(S.window_words, id="incident-when", size="2", weight="medium", aria_live="polite",
                            grid_column="1 / -1"),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                ),
            ),
            rx.vstack(
                _label("Expected time units (hours)", "incident-units"),
                rx.input(type="number", id="incident-units", name="units", value=S.units, on_change=S.set_units,
                         min="1", max="24", width="8rem", aria_describedby="incident-price"),
                rx.text(S.price, size="2", id="incident-price", weight="medium", aria_live="polite"),
                rx.text("Time beyond the prepaid units is billed as usual.", size="1", color=MUTED),
                spacing="1", width="100%",
            ),
            rx.vstack(_label("Title", "incident-title"),
                      rx.input(id="incident-title", name="title", default_value=S.title, width="100%",
                               auto_complete="off", placeholder="e.g. Production server down after update"),
                      spacing="1", width="100%"),
            rx.vstack(_label("Description", "incident-description"),
                      rx.text_area(id="incident-description", name="description", default_value=S.description,
                                   rows="6", width="100%",
                                   placeholder="What happens, since when, who is affected, how to reach you."),
                      spacing="1", width="100%"),
            rx.card(terms_checkbox(S, "accept-terms-incident-request",
                                   none_yet="The support terms are not published yet; please contact us."),
                    width="100%", id="terms-acceptance"),
            error_callout(S.error),
            rx.cond(S.invoice_href != "", rx.link("Open the invoice", href=S.invoice_href, id="incident-invoice")),
            rx.button(rx.cond(S.submitting, rx.spinner(size="2"), rx.icon("credit-card", size=16, aria_hidden="true")),
                      rx.cond(S.submitting, "Opening the payment page…", "Request and pay"),
                      type="submit", size="3", disabled=S.submitting, id="incident-submit"),
            rx.text("You pay the invoice by card on the next page; the work is scheduled once it is paid.",
                    size="2", color=MUTED),
            spacing="4", width="100%", max_width="40rem",
        ),
        on_submit=S.submit,
        reset_on_submit=False,
        aria_label="Request pay-per-incident support",
        width="100%",
    )


def _unavailable() -> rx.Component:
    """The options not offered now, each with why, and what to do instead (buy Gold Support, open a ticket)."""
    return rx.cond(S.unavailable.length() > 0, rx.callout.root(
        rx.callout.icon(rx.icon("info", aria_hidden="true")),
        rx.vstack(
            rx.foreach(S.unavailable, lambda u: rx.text(u["reason"], " ",  # each reason names its option
                                                        rx.cond(u["remedy"] == "open_ticket",
                                                                rx.link("Open a regular ticket",
                                                                        href=routes.NEW_TICKET)),
                                                        size="2")),
            rx.cond(S.needs_gold, rx.button(rx.link(rx.icon("shield-check", size=16, aria_hidden="true"),
                                                    "Buy Gold Support", href=routes.PLANS + "#offer-gold",
                                                    underline="none", id="incident-buy-gold"),
                                            as_child=True, size="2")),
            spacing="2", width="100%",
        ),
        color_scheme="amber", high_contrast=True, width="100%", id="incident-unavailable",
    ))


@rx.page(route=routes.INCIDENT_REQUEST, title="Pay-per-incident support · OpsPortal", on_load=S.load)
def incident_request_page() -> rx.Component:
    return app_shell(
        "Pay-per-incident support",
        rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text("Support plan"), spacing="1",
                          align="center"), href=routes.PLANS),
        rx.cond(
            S.refused != "",
            rx.callout(S.refused, icon="info", color_scheme="gray", width="100%", id="incident-refused"),
            rx.cond(
                S.loaded,
                rx.vstack(
                    rx.text("Right now: ", rx.text.strong(S.coverage_headline), size="2", id="incident-coverage"),
                    _unavailable(),
                    rx.cond(S.scheduled_offered | S.emergency_offered, _form()),
                    spacing="4", width="100%",
                ),
                error_callout(S.error),
            ),
        ),
    )
