"""An organization's subsidiaries: links for those allowed to open them, names for everyone else."""

import reflex as rx

from opsportal import routes
from opsportal.state.auth import AuthState


def subsidiary_list(children, **props) -> rx.Component:
    """``children``: state.organization.subsidiary_links() rows ({"name", "href"})."""
    return rx.el.ul(
        rx.foreach(children, lambda c: rx.el.li(rx.cond(c["href"] != "", rx.link(c["name"], href=c["href"]),
                                                        rx.text(c["name"], as_="span")))),
        padding_left="1.25rem", margin_top="0.5rem", aria_label="Subsidiaries", **props,
    )


def rollup_link(org_id) -> rx.Component:
    """"Subsidiaries' support" (the parent-company roll-up), for the organization's owners and administrators and
    staff; the roll-up's service decides again when it is opened."""
    manager = ((AuthState.role == "owner") | (AuthState.role == "admin")) & (AuthState.organization_id == org_id)
    return rx.cond(manager | AuthState.is_staff,
                   rx.link(rx.hstack(rx.icon("network", size=16, aria_hidden="true"),
                                     rx.text("Subsidiaries' support: tasks and hours"), spacing="2", align="center"),
                           href=routes.ROLLUP + rx.cond(AuthState.is_staff, "?org=" + org_id.to_string(), ""),
                           id="rollup-link", margin_top="0.5rem"))
