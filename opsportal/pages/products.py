"""Products: the organization's licences (version in use, region of purchase) with each version's lifecycle today
and what supports it (Gold Support, Extended-Term), and every version of its products with their lifecycle days."""

import reflex as rx

from opsportal import routes
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.state.software import ProductsState as S

MUTED = rx.color("gray", 11)


def _status(row: rx.Var) -> rx.Component:
    return rx.badge(row["status"], color_scheme=row["color"], variant="soft", high_contrast=True)


def _licence(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["label"]),
        rx.table.cell(_status(row)),
        rx.table.cell(row["cover"], color=rx.cond(row["covered"] == "yes", rx.color("gray", 12),
                                                  rx.color("amber", 11))),
        secondary_cell(row["region"]),
        secondary_cell(row["quantity"], text_align="right"),
        secondary_cell(row["purchased"], white_space="nowrap"),
    )


def _version(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["label"]),
        rx.table.cell(_status(row)),
        secondary_cell(row["ga"], white_space="nowrap"),
        secondary_cell(row["sunset"], white_space="nowrap"),
        secondary_cell(row["eol"], white_space="nowrap"),
    )


def _licences() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Your licences", size="4", as_="h2"),
        rx.cond(
            S.licences.length() > 0,
            rx.box(rx.table.root(
                hidden_caption("Your organization's licences, the version in use and what supports it"),
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Product and version"), rx.table.column_header_cell("Lifecycle"),
                    rx.table.column_header_cell("Covered by"), secondary_header("Region of purchase"),
                    secondary_header("Licences", text_align="right"), secondary_header("Bought"))),
                rx.table.body(rx.foreach(S.licences, _licence)),
                width="100%", id="licences",
            ), overflow_x="auto", width="100%"),
            rx.text("Your organization holds no product licences yet; the support team records them when you buy.",
                    size="2", color=MUTED, id="licences"),
        ),
        rx.cond(S.extended != "", rx.text("Extended-Term covers: ", S.extended, size="2", id="extended-versions")),
        spacing="3", width="100%",
    ), width="100%")


def _versions() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Versions of your products", size="4", as_="h2"),
        rx.text("A version is supported from general availability, in sunset from its sunset day and past end of "
                "life from its end-of-life day; Extended-Term supports versions in sunset or past end of life.",
                size="2", color=MUTED),
        rx.box(rx.table.root(
            hidden_caption("Versions of your products and their lifecycle days"),
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Version"), rx.table.column_header_cell("Lifecycle"),
                secondary_header("Generally available"), secondary_header("Sunset"),
                secondary_header("End of life"))),
            rx.table.body(rx.foreach(S.versions, _version)),
            width="100%", id="product-versions",
        ), overflow_x="auto", width="100%"),
        spacing="3", width="100%",
    ), width="100%")


@rx.page(route=routes.PRODUCTS, title="Products · OpsPortal", on_load=S.load)
def products_page() -> rx.Component:
    return app_shell(
        "Products",
        rx.text("The software your organization has purchased, the version it runs and whether that version is "
                "supported. ", rx.link("Downloads", href=routes.DOWNLOADS, underline="always"),
                " has its releases and hotfixes.",
                size="2", color=MUTED),
        error_callout(S.error),
        rx.cond(S.loaded & ~S.gold_active & (S.licences.length() > 0),
                rx.callout(rx.fragment("No active Gold Support: your versions are not covered. ",
                                       rx.link("Renew Gold Support", href=routes.PLANS + "#offer-gold",
                                               underline="always", color=rx.color("gray", 12))),
                           icon="shield-alert", color_scheme="amber", high_contrast=True, width="100%",
                           id="products-need-gold")),
        _licences(),
        rx.cond(S.versions.length() > 0, _versions()),
    )
