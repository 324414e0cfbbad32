import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import phone_only, secondary_cell, secondary_header, wide
from opsportal.pages.invoices import members_notice
from opsportal.state.buy_hours import BuyHoursState

MUTED = rx.color("gray", 11)


def _money_line(label, value, **props) -> rx.Component:
    return rx.hstack(rx.text(label, size="2", color=MUTED), rx.spacer(), rx.text(value, size="2", **props),
                     width="100%")


def _block(b: rx.Var) -> rx.Component:
    picked = b["picked"] != ""
    return rx.card(
        rx.vstack(
            rx.cond(picked, rx.badge(rx.icon("check", size=14, aria_hidden="true"), b["picked"], color_scheme="blue",
                                     variant="solid", high_contrast=True, white_space="normal")),
            rx.heading(b["name"], size="4", as_="h3"),
            rx.hstack(rx.text(b["amount"], size="8", weight="bold", line_height="1"),
                      rx.text(b["unit"], size="3", color=MUTED), align="baseline", spacing="2"),
            rx.hstack(
                rx.text(b["per_unit"], size="2", color=MUTED),
                rx.cond(b["save"] != "", rx.badge(b["save"], color_scheme="green", variant="soft",
                                                  high_contrast=True)),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.text("Usable through ", rx.text.strong(b["through"]), " if bought today", size="2"),
            rx.separator(size="4"),
            rx.vstack(
                _money_line("Price", b["price"]),
                rx.cond(b["tax"] != "", _money_line(b["tax_label"], b["tax"])),
                _money_line("Total", b["total"], weight="bold"),
                spacing="1",
                width="100%",
            ),
            rx.button(
                rx.icon("shopping-cart", size=16, aria_hidden="true"),
                b["buy"],
                on_click=BuyHoursState.buy(b["id"]),
                loading=BuyHoursState.buying == b["id"],
                disabled=BuyHoursState.buying != "",
                width="100%",
                size="3",
                margin_top="auto",
            ),
            spacing="3",
            height="100%",
            width="100%",
        ),
        width="100%",
        class_name="hour-block",
        style=rx.cond(picked, {"outline": f"3px solid {rx.color('blue', 9)}", "outline_offset": "2px"}, {}),
    )


def _receipt(p: rx.Var) -> rx.Component:
    return rx.link("Receipt", href=p["receipt"], aria_label="Receipt for " + p["description"])


def _purchase_row(p: rx.Var) -> rx.Component:
    return rx.table.row(
        secondary_cell(p["when"], white_space="nowrap"),
        # Phones: the receipt under the block (its column appears from 30em up).
        rx.table.cell(rx.vstack(rx.text(p["description"], size="2"),
                                rx.cond(p["note"] != "", rx.text(p["note"], size="1", color=MUTED)),
                                rx.cond(p["receipt"] != "", phone_only(_receipt(p), font_size="0.875rem")),
                                spacing="1")),
        rx.table.cell(p["amount"], white_space="nowrap", text_align="right"),
        rx.table.cell(rx.badge(p["status"], color_scheme=p["color"], variant="soft", high_contrast=True)),
        secondary_cell(rx.cond(p["receipt"] != "", _receipt(p), rx.text("—", size="2"))),
    )


def _purchases() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Recent purchases", size="4", as_="h2"),
            rx.cond(
                BuyHoursState.purchases.length() > 0,
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(secondary_header("When"), *[
                        rx.table.column_header_cell(h, text_align=a) for h, a in (
                            ("Bought", "left"), ("Amount", "right"), ("Status", "left"))],
                        secondary_header("Receipt"))),
                    rx.table.body(rx.foreach(BuyHoursState.purchases, _purchase_row)),
                    width="100%",
                    min_width=wide("40rem"),
                    aria_label="Recent purchases of hours and credits", id="hour-block-purchases",
                ), overflow_x="auto", width="100%"),
                rx.text("Nothing bought yet.", size="2", color=MUTED),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _grid(cards) -> rx.Component:
    return rx.grid(rx.foreach(cards, _block), columns=rx.breakpoints(initial="1", sm="2", lg="4"), spacing="4",
                   width="100%")


def _catalog() -> rx.Component:
    return rx.vstack(
        rx.heading("Support hours", size="4", as_="h2", id="support-hours"),
        rx.text("Prepaid support hours: bigger blocks cost less per hour. Time agents log draws on them before "
                "anything is billed as pay-as-you-go.", size="2", color=MUTED),
        rx.cond(
            BuyHoursState.blocks.length() > 0,
            _grid(BuyHoursState.blocks),
            rx.cond(BuyHoursState.loaded,
                    rx.text("No hour blocks are on sale in your currency right now. Contact support to buy hours.",
                            size="2", color=MUTED)),
        ),
        rx.heading("Service credits", size="4", as_="h2", id="service-credits", margin_top="1rem"),
        rx.text("Packs of service credits pay for the services in the services catalog; bigger packs cost less "
                "per credit.", size="2", color=MUTED),
        rx.cond(BuyHoursState.need != "",
                rx.callout(BuyHoursState.need, icon="info", color_scheme="blue", high_contrast=True, width="100%",
                           id="credits-needed")),
        rx.cond(
            BuyHoursState.packs.length() > 0,
            _grid(BuyHoursState.packs),
            rx.cond(BuyHoursState.loaded,
                    rx.text("No credit packs are on sale in your currency right now.", size="2", color=MUTED)),
        ),
        rx.link(rx.icon("briefcase", size=16, aria_hidden="true"), "Spend service credits: the services catalog",
                href=routes.SERVICES, size="2", display="inline-flex", align_items="center", gap="0.35rem"),
        spacing="3",
        width="100%",
    )


@rx.page(route=routes.BUY_HOURS, title="Buy hours and credits · OpsPortal", on_load=BuyHoursState.load)
def buy_hours_page() -> rx.Component:
    return app_shell(
        "Buy hours and credits",
        rx.cond(
            BuyHoursState.refused != "",
            members_notice(BuyHoursState.refused),
            rx.vstack(
                rx.text("You pay by card on Stripe's secure checkout; what you buy is added as soon as Stripe "
                        "confirms the payment.", size="2", color=MUTED),
                rx.cond(BuyHoursState.cancelled,
                        rx.callout("Payment cancelled — nothing was charged.", icon="info", color_scheme="blue",
                                   width="100%", role="status", id="checkout-cancelled")),
                error_callout(BuyHoursState.buy_error),
                error_callout(BuyHoursState.error),
                _catalog(),
                rx.link(rx.icon("clock", size=16, aria_hidden="true"), "See your hours and credits in Hours & Credits",
                        href=routes.CREDITS, size="2", display="inline-flex", align_items="center", gap="0.35rem"),
                _purchases(),
                spacing="5",
                width="100%",
            ),
        ),
    )
