import reflex as rx

from opsportal import routes
from opsportal.components.catalog_editor import SELECT_STYLE, catalog_editor, editor_aria, editor_field
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import (
    hidden_caption,
    phone_only,
    row_menu,
    secondary_cell,
    secondary_header,
    wide_only,
)
from opsportal.pages.staff_billing import ok_callout
from opsportal.state.staff_hour_blocks import StaffHourBlocksState as S

MUTED = rx.color("gray", 11)


def _row(b: rx.Var) -> rx.Component:
    on_sale = b["active"] == "yes"
    named = b["name"] + " (" + b["currency"] + ")"
    toggle = rx.cond(on_sale, "Take off sale", "Put on sale")
    return rx.table.row(
        # Phones: the name, then what it sells and its price (their columns appear from 30em up).
        rx.table.row_header_cell(rx.text(b["name"], size="2"),
                                 phone_only(rx.text(b["amount"], " · ", b["price"], size="1", color=MUTED))),
        secondary_cell(b["sells"]),
        secondary_cell(b["amount"], white_space="nowrap", text_align="right"),
        secondary_cell(b["price"], white_space="nowrap", text_align="right"),
        secondary_cell(b["per_unit"], white_space="nowrap", text_align="right"),
        secondary_cell(b["discount"], text_align="right"),
        secondary_cell(b["validity"], white_space="nowrap"),
        secondary_cell(b["currency"]),
        rx.table.cell(rx.badge(b["on_sale"], color_scheme=rx.cond(on_sale, "green", "gray"), variant="soft",
                               high_contrast=True)),
        rx.cond(S.is_admin, rx.table.cell(
            wide_only(rx.hstack(
                rx.button("Edit", size="1", variant="outline", on_click=S.open_edit(b["id"]),
                          aria_label="Edit " + named),
                rx.button(toggle, size="1", variant="soft", color_scheme=rx.cond(on_sale, "gray", "green"),
                          on_click=S.toggle_on_sale(b["id"]), aria_label=toggle + ": " + named),
                spacing="2", wrap=rx.breakpoints(initial="wrap", md="nowrap"))),
            phone_only(row_menu("Actions for " + named, [("Edit", S.open_edit(b["id"])),
                                                          (toggle, S.toggle_on_sale(b["id"]))])),
        )),
    )


def _input(name: str, control_id: str, value, hint: bool = False, **props) -> rx.Component:
    return rx.input(id=control_id, name=name, default_value=value, width="100%",
                    **editor_aria(S, name, control_id, hint=hint), **props)


def _edit_dialog() -> rx.Component:
    e = S.edit
    return catalog_editor(
        S, description="A block sells support hours or a pack of service credits. Customers see the blocks on sale "
                       "in their organization's currency, plus its tax. Checkouts already started keep the terms "
                       "they showed.",
        fields=[
            editor_field(S, "Name", "name", "block-name", _input("name", "block-name", e["name"], max_length=80)),
            rx.grid(
                editor_field(S, "Sells", "product", "block-product", rx.el.select(
                    rx.foreach(S.products, lambda p: rx.el.option(p["label"], value=p["value"])),
                    id="block-product", name="product", default_value=e["product"], style=SELECT_STYLE,
                    **editor_aria(S, "product", "block-product"))),
                editor_field(S, "Hours, or credits of a pack", "amount", "block-amount",
                             _input("amount", "block-amount", e["amount"], input_mode="numeric")),
                editor_field(S, "Price (e.g. 1140.00)", "price", "block-price",
                             _input("price", "block-price", e["price"], input_mode="decimal")),
                editor_field(S, "Currency", "currency", "block-currency",
                             _input("currency", "block-currency", e["currency"], max_length=3)),
                editor_field(S, "Validity (days)", "validity", "block-validity",
                             _input("validity", "block-validity", e["validity"], hint=True, input_mode="numeric"),
                             hint="Usable from the day of payment, 30 to 1,098 days."),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
            ),
        ],
        noun="Hour block", save_label="Save block", save_id="block-save", active_label="On sale",
        active_id="block-active")


@rx.page(route=routes.STAFF_HOUR_BLOCKS, title="Hour blocks · OpsPortal", on_load=S.load)
def staff_hour_blocks_page() -> rx.Component:
    return app_shell(
        "Hour blocks",
        error_callout(S.denied),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.hstack(
                    rx.text("Blocks of prepaid support hours and packs of service credits customers buy by card. "
                            "The discount is per hour or per credit, against the smallest block of the same kind "
                            "on sale in the same currency.", size="2", color=MUTED),
                    rx.spacer(),
                    rx.cond(S.is_admin, rx.button(rx.icon("plus", size=16, aria_hidden="true"), "Add a block",
                                                  on_click=S.open_edit(""), id="block-add")),
                    align="center", width="100%", wrap="wrap", spacing="3",
                ),
                rx.cond(~S.is_admin, rx.text("Only staff administrators can change the catalog.", size="2",
                                             color=MUTED)),
                error_callout(S.error),
                ok_callout(S.notice, id="blocks-notice"),
                rx.card(rx.box(rx.table.root(
                    hidden_caption("Hour blocks"),
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("Name"), secondary_header("Sells"),
                        *[secondary_header(h, text_align="right") for h in ("Amount", "Price", "Per unit",
                                                                           "Discount")],
                        *[secondary_header(h) for h in ("Validity", "Currency")],
                        rx.table.column_header_cell("On sale"),
                        rx.cond(S.is_admin, rx.table.column_header_cell("Actions")))),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    width="100%",
                ), overflow_x="auto", width="100%"), width="100%"),
                rx.cond(S.rows.length() == 0, rx.text("The catalog is empty.", size="2", color=MUTED)),
                rx.link("Billing and invoices →", href=routes.STAFF_BILLING, size="2"),
                _edit_dialog(),
                spacing="4", width="100%",
            ),
        ),
    )
