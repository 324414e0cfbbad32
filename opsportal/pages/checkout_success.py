import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout
from opsportal.state.checkout import CheckoutState

MUTED = rx.color("gray", 11)


def _link(label, href, icon: str) -> rx.Component:
    return rx.link(rx.icon(icon, size=16, aria_hidden="true"), label, href=href, display="inline-flex",
                   align_items="center", gap="0.35rem", weight="medium")


def _invoice_link(label) -> rx.Component:
    return rx.cond(CheckoutState.invoice_href != "", _link(label, CheckoutState.invoice_href, "file-text"))


def _result_card(*children) -> rx.Component:
    """The one result card (a polite live region) each phase of the page fills."""
    return rx.card(rx.vstack(*children, spacing="3"), width="100%", id="checkout-result", role="status")


def _heading(text: str, icon: str | None = None, color: str = "green", size: int = 24) -> rx.Component:
    title = rx.heading(text, size="5", as_="h2")
    if icon is None:
        return title
    return rx.hstack(rx.icon(icon, size=size, color=rx.color(color, 11), aria_hidden="true"), title,
                     align="center", spacing="3")


def _again_link() -> rx.Component:
    return rx.cond(CheckoutState.is_hours, _link("Buy hours or credits", routes.BUY_HOURS, "shopping-cart"),
                   _invoice_link(rx.text("Invoice ", CheckoutState.invoice_number, as_="span")))


def _paid() -> rx.Component:
    return _result_card(
        _heading("Payment received", "circle-check", "green", size=28),
        rx.text("Thank you: ", rx.text.strong(CheckoutState.amount), " for ", CheckoutState.description, ".",
                size="3"),
        rx.cond(
            CheckoutState.is_hours,
            rx.vstack(
                rx.cond(CheckoutState.hours_text != "",
                        rx.text(CheckoutState.hours_text, size="3", weight="bold", id="hours-added")),
                rx.hstack(
                    _link("See them in Hours & Credits", routes.CREDITS, "clock"),
                    _link("Services catalog", routes.SERVICES, "briefcase"),
                    _invoice_link(rx.text("Receipt ", CheckoutState.invoice_number, as_="span")),
                    spacing="5",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            _invoice_link(rx.text("Back to invoice ", CheckoutState.invoice_number, as_="span")),
        ),
    )


def _confirming() -> rx.Component:
    return _result_card(
        rx.hstack(
            rx.spinner(size="3"),
            rx.vstack(
                rx.heading("Confirming your payment…", size="5", as_="h2"),
                rx.text("Stripe is confirming ", CheckoutState.amount, " for ", CheckoutState.description,
                        ". This usually takes a few seconds.", size="2", color=MUTED),
                spacing="1",
            ),
            align="center",
            spacing="4",
        ),
    )


def _waiting() -> rx.Component:
    return _result_card(
        _heading("Your payment is on its way", "hourglass", "amber"),
        rx.text("Stripe has not confirmed ", CheckoutState.amount, " for ", CheckoutState.description,
                " yet. It will show up ", rx.cond(CheckoutState.is_hours, "in Hours & Credits", "on the invoice"),
                " once Stripe confirms it; you do not need to pay again.", size="2"),
        rx.cond(CheckoutState.last_error != "",
                rx.text("Last message from Stripe: ", CheckoutState.last_error, size="2", color=MUTED)),
        _again_link(),
    )


def _expired() -> rx.Component:
    return _result_card(
        _heading("This checkout has ended without a payment"),
        rx.text("Nothing was charged. Start a new payment when you are ready.", size="2"),
        _again_link(),
    )


@rx.page(route=routes.CHECKOUT_SUCCESS, title="Payment · OpsPortal", on_load=CheckoutState.load)
def checkout_success_page() -> rx.Component:
    return app_shell(
        "Payment",
        rx.match(
            CheckoutState.phase,
            ("paid", _paid()),
            ("confirming", _confirming()),
            ("waiting", _waiting()),
            ("expired", _expired()),
            ("error", rx.vstack(error_callout(CheckoutState.error),
                                _link("My Invoices", routes.INVOICES, "receipt"), spacing="3", width="100%")),
            rx.center(rx.spinner(size="3"), aria_label="Checking your payment", width="100%", padding="3rem"),
        ),
    )
