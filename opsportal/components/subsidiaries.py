"""An organization's subsidiaries: links for those allowed to open them, names for everyone else."""

import reflex as rx


def subsidiary_list(children, **props) -> rx.Component:
    """``children``: state.organization.subsidiary_links() rows ({"name", "href"})."""
    return rx.el.ul(
        rx.foreach(children, lambda c: rx.el.li(rx.cond(c["href"] != "", rx.link(c["name"], href=c["href"]),
                                                        rx.text(c["name"], as_="span")))),
        padding_left="1.25rem", margin_top="0.5rem", aria_label="Subsidiaries", **props,
    )
