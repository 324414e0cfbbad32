import reflex as rx

from opsportal import routes
from opsportal.components.backend import backend_link
from opsportal.components.forms import CONTROL_COLORS, described_by, field_error, invalid
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import secondary_cell, secondary_header
from opsportal.state.credits import CreditsState

MUTED = rx.color("gray", 11)
# Columns phones leave out (components.tables): the credit list's and the ledger history's.
LOTS_PHONE_HIDES = {"Type", "Credit holder", "Allocated to", "Service usage period", "Offers"}
HISTORY_PHONE_HIDES = {"Lot", "Why"}


def _card(card: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(card["label"], size="2", color=MUTED),
            rx.text(card["value"], size="6", weight="bold", id=card["id"]),
            spacing="1",
        ),
        width="100%",
    )


def _bar_row(label, value, width) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", width="7.5rem", flex_shrink="0"),
        rx.box(rx.box(width=width, height="100%", background=rx.color("accent", 9), border_radius="3px"),
               flex="1", height="0.9rem", background=rx.color("gray", 3), border_radius="3px", aria_hidden="true"),
        rx.text(value, size="2", width="8rem", text_align="right", flex_shrink="0"),
        width="100%",
        align="center",
        spacing="3",
    )


def _section(title: str, *children, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
                   width="100%", **props)


def _empty(text: str) -> rx.Component:
    return rx.text(text, size="2", color=MUTED)


def _category_table(rows, handler, label: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(rx.table.column_header_cell("Category"),
                                         rx.table.column_header_cell("Quantity"),
                                         rx.table.column_header_cell("Tickets"))),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(
                rx.table.cell(rx.button(r["category"], variant="ghost", on_click=handler(r["category"]),
                                        aria_label=label + " " + r["category"])),
                rx.table.cell(r["value"]),
                rx.table.cell(r["tickets"]),
            ))),
            width="100%",
        ),
        _empty("Nothing here."),
    )


def _drilldown() -> rx.Component:
    return rx.cond(
        CreditsState.drill_title != "",
        _section(
            CreditsState.drill_title,
            rx.cond(
                CreditsState.drill_rows.length() > 0,
                rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell("Ticket"),
                                                 rx.table.column_header_cell("Title"),
                                                 rx.table.column_header_cell("Status"),
                                                 rx.table.column_header_cell("Quantity"))),
                    rx.table.body(rx.foreach(CreditsState.drill_rows, lambda t: rx.table.row(
                        rx.table.cell(rx.button("#" + t["id"], variant="ghost",
                                                on_click=CreditsState.show_ticket(t["id"]),
                                                aria_label="Show ticket " + t["id"])),
                        rx.table.cell(t["title"]),
                        rx.table.cell(t["status"]),
                        rx.table.cell(t["value"]),
                    ))),
                    width="100%",
                ),
                _empty("No tickets."),
            ),
            id="drilldown",
        ),
    )


def _snapshot() -> rx.Component:
    s = CreditsState.snapshot
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Ticket #", s["id"], ": ", s["title"]),
            rx.dialog.description("Snapshot of the ticket's credits", size="2", color=MUTED),
            rx.data_list.root(
                rx.data_list.item(rx.data_list.label("Category"), rx.data_list.value(s["category"])),
                rx.data_list.item(rx.data_list.label("Status"), rx.data_list.value(s["status"])),
                rx.data_list.item(rx.data_list.label("Opened"), rx.data_list.value(s["opened"])),
                rx.data_list.item(rx.data_list.label("In play"), rx.data_list.value(s["held"])),
                rx.data_list.item(rx.data_list.label("Used"), rx.data_list.value(s["used"])),
                margin_y="1rem",
            ),
            rx.dialog.close(rx.button("Close", on_click=CreditsState.close_snapshot)),
        ),
        open=CreditsState.snapshot.contains("id"),
        on_open_change=lambda _open: CreditsState.close_snapshot(),
    )


def _allocate_form() -> rx.Component:
    lot = CreditsState.allocate_lot
    return rx.vstack(
        rx.radio_group.root(
            rx.vstack(
                rx.text("Allocate to", size="2", weight="medium", id="allocate-to-label"),
                rx.el.label(rx.hstack(rx.radio_group.item(value="all"), rx.text("All organizations"),
                                      spacing="2", align="center")),
                rx.foreach(CreditsState.allocate_targets, lambda t: rx.el.label(
                    rx.hstack(rx.radio_group.item(value=t["id"]), rx.text(t["name"]), spacing="2", align="center")
                )),
                spacing="2",
            ),
            value=CreditsState.allocate_choice,
            on_change=CreditsState.set_allocate_choice,
            aria_labelledby="allocate-to-label",
        ),
        rx.vstack(
            rx.el.label("How much", html_for="allocate-quantity", font_size="0.875rem", font_weight="500"),
            rx.text(rx.cond(lot["unit"] == "minute",
                            "All " + lot["free"] + " free, or part of it (hours such as 10, 7:30 or 45m). ",
                            "All " + lot["free"] + " free, or part of it. "),
                    "A part becomes a new lot with the same expiry and type.",
                    id="allocate-quantity-hint", size="1", color=MUTED),
            rx.input(value=CreditsState.allocate_quantity, on_change=CreditsState.set_allocate_quantity,
                     id="allocate-quantity", width="100%",
                     aria_describedby=described_by("allocate-quantity", hint=True),
                     aria_invalid=invalid(CreditsState.allocate_problems, "quantity")),
            field_error(CreditsState.allocate_problems, "quantity", "allocate-quantity"),
            spacing="1",
            width="100%",
        ),
        error_callout(CreditsState.allocate_error),
        rx.hstack(
            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
            rx.button("Allocate", on_click=CreditsState.confirm_allocate),
            justify="end",
            spacing="3",
            width="100%",
        ),
        spacing="4",
        margin_top="1rem",
        width="100%",
    )


def _allocate_result() -> rx.Component:
    return rx.vstack(
        rx.callout(CreditsState.allocate_done, icon="check", color_scheme="green", role="status", width="100%"),
        rx.hstack(rx.dialog.close(rx.button("Close")), justify="end", width="100%"),
        spacing="4",
        margin_top="1rem",
        width="100%",
    )


def _allocate_dialog() -> rx.Component:
    lot = CreditsState.allocate_lot
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Allocate lot #", CreditsState.allocate_lot_id),
            rx.dialog.description(
                lot["product"], " · ", lot["free"], " free, ", lot["held"], " held for open tickets · allocated to ",
                lot["allocated_to"], size="2", color=MUTED),
            rx.cond(CreditsState.allocate_done != "", _allocate_result(), _allocate_form()),
            max_width="30rem",
        ),
        open=CreditsState.allocate_open,
        on_open_change=CreditsState.set_allocate_open,
    )


def _lot_row(lot: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell("#", lot["id"]),
        rx.table.cell(lot["product"]),
        secondary_cell(lot["kind"]),
        secondary_cell(lot["holder"]),
        secondary_cell(lot["allocated_to"]),
        secondary_cell(lot["usage"]),
        rx.table.cell(lot["expires"]),
        rx.table.cell(lot["free"], white_space="nowrap"),
        rx.table.cell(lot["held"], white_space="nowrap"),
        secondary_cell(lot["offers"]),
        rx.table.cell(_lot_action(lot)),
    )


def _lot_action(lot: rx.Var) -> rx.Component:
    return rx.cond(
        lot["movable"] == "yes",
        rx.button("Allocate", size="1", variant="outline", on_click=CreditsState.open_allocate(lot["id"]),
                  aria_label="Allocate lot " + lot["id"]),
        rx.text(lot["window"], size="1", color=MUTED),
    )


def _lot_card(lot: rx.Var) -> rx.Component:
    """A lot on a narrow screen: what is free and held first, then where it is allocated, then its details."""
    return rx.box(
        rx.hstack(
            rx.text("#", lot["id"], " · ", lot["product"], weight="bold", size="2"),
            rx.spacer(),
            _lot_action(lot),
            width="100%", align="center",
        ),
        rx.text("Free ", rx.el.strong(lot["free"]), " · Held ", rx.el.strong(lot["held"]), size="2"),
        rx.text("Allocated to ", lot["allocated_to"], size="2"),
        rx.cond(lot["offers"] != "—", rx.text("Offers: ", lot["offers"], size="2")),
        rx.text(lot["kind"], " · credit holder ", lot["holder"], " · ", lot["expiry_phrase"], size="1",
                color=MUTED),
        padding_y="0.6rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )


def _pager(page, pages, handler, label: str) -> rx.Component:
    return rx.cond(pages > 1, rx.hstack(
        rx.button("Previous", on_click=handler(-1), disabled=page <= 1, variant="soft",
                  aria_label="Previous page of " + label),
        rx.text("Page ", page, " of ", pages, size="2"),
        rx.button("Next", on_click=handler(1), disabled=page >= pages, variant="soft",
                  aria_label="Next page of " + label),
        align="center", spacing="3",
    ))


def _history_row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e["when"], min_width="6rem"),
        rx.table.cell(rx.badge(e["kind"], variant="soft", color_scheme="gray", high_contrast=True)),
        rx.table.cell(e["quantity"]),
        secondary_cell("#", e["lot"], " · ", e["holder"]),
        rx.table.cell(e["ticket"], " ", e["category"]),
        secondary_cell(rx.text(e["reason"], size="1")),
    )


def _history_card(e: rx.Var) -> rx.Component:
    """A ledger entry on a narrow screen: what and how much first, then where and why."""
    return rx.box(
        rx.hstack(rx.badge(e["kind"], variant="soft", color_scheme="gray", high_contrast=True),
                  rx.text(e["quantity"], weight="bold", size="2"), spacing="2", align="center"),
        rx.text(e["when"], size="1", color=MUTED),
        rx.text("Lot #", e["lot"], " · ", e["holder"], rx.cond(e["ticket"] != "", " · " + e["ticket"] + " ", ""),
                e["category"], size="2"),
        rx.text(e["reason"], size="1", color=MUTED),
        padding_y="0.6rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )


@rx.page(route=routes.CREDITS, title="Hours & Credits · OpsPortal", on_load=CreditsState.load)
def credits_page() -> rx.Component:
    return app_shell(
        "Hours & Credits",
        error_callout(CreditsState.error),
        rx.flex(
            rx.text(CreditsState.org_name, size="4", weight="medium", flex="1 1 auto"),
            rx.hstack(
                rx.el.label("Product", html_for="product-select", font_size="0.875rem"),
                rx.el.select(
                    rx.foreach(CreditsState.products, lambda p: rx.el.option(p["name"], value=p["code"])),
                    id="product-select",
                    value=CreditsState.product,
                    on_change=CreditsState.choose_product,
                    style={"padding": "0.35rem 0.5rem", "border_radius": "6px", "min_width": "0",
                           "max_width": "100%", "border": f"1px solid {rx.color('gray', 7)}",
                           **CONTROL_COLORS},
                ),
                align="center",
                spacing="2",
                max_width="100%",
                min_width="0",
            ),
            width="100%",
            align="center",
            wrap="wrap",
            gap="0.5rem 1rem",
        ),
        rx.grid(rx.foreach(CreditsState.cards, _card), columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="4", width="100%"),
        rx.grid(
            _section("Expiry schedule of available credit",
                     rx.foreach(CreditsState.schedule, lambda b: _bar_row(b["label"], b["value"], b["width"])),
                     id="expiry-schedule"),
            _section("Expired in the last 365 days",
                     rx.cond(CreditsState.expired.length() > 0,
                             rx.foreach(CreditsState.expired, lambda m: _bar_row(m["month"], m["value"], m["width"])),
                             _empty("Nothing expired in the last year.")),
                     id="expired"),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        rx.grid(
            _section("In play on open tickets", _category_table(CreditsState.in_play, CreditsState.show_in_play,
                                                                "Show tickets with credit in play for"),
                     id="in-play"),
            _section("Used in the last 365 days", _category_table(CreditsState.used, CreditsState.show_used,
                                                                  "Show tickets that used credit for"),
                     id="used"),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        rx.link("Spend service credits: the services catalog →", href=routes.SERVICES, size="2", id="services-link"),
        _drilldown(),
        _snapshot(),
        _section(
            "Credit list",
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[
                    secondary_header(h) if h in LOTS_PHONE_HIDES else rx.table.column_header_cell(h) for h in (
                        "Lot", "Product", "Type", "Credit holder", "Allocated to", "Service usage period",
                        "Expires", "Free", "Held", "Offers", "")])),
                rx.table.body(rx.foreach(CreditsState.lots, _lot_row)),
                width="100%",
            ), overflow_x="auto", width="100%", display=rx.breakpoints(initial="none", md="block")),
            rx.box(rx.foreach(CreditsState.lots, _lot_card), width="100%",
                   display=rx.breakpoints(initial="block", md="none")),
            _pager(CreditsState.lot_page, CreditsState.lot_pages, CreditsState.lots_page, "lots"),
            id="credit-list",
        ),
        _allocate_dialog(),
        _section(
            "Ledger history",
            rx.hstack(
                rx.text("Every grant, hold, use and expiry, newest first, with why each lot was chosen.", size="2",
                        color=MUTED),
                rx.spacer(),
                backend_link(rx.hstack(rx.icon("download", size=16, aria_hidden="true"), rx.text("Download CSV"),
                                       spacing="1", align="center"),
                             path=CreditsState.csv_url),
                width="100%", align="center",
            ),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[
                    secondary_header(h) if h in HISTORY_PHONE_HIDES else rx.table.column_header_cell(h) for h in (
                        "When", "Entry", "Quantity", "Lot", "Ticket", "Why")])),
                rx.table.body(rx.foreach(CreditsState.history, _history_row)),
                width="100%",
            ), overflow_x="auto", width="100%", display=rx.breakpoints(initial="none", md="block")),
            rx.box(rx.foreach(CreditsState.history, _history_card), width="100%",
                   display=rx.breakpoints(initial="block", md="none")),
            _pager(CreditsState.history_page, CreditsState.history_pages, CreditsState.history_page_by, "history"),
            id="history",
        ),
    )
