import reflex as rx

from opsportal import routes
from opsportal.components.account_mfa import org_requirement_section
from opsportal.components.forms import CONTROL_COLORS, day_picker, labelled
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.components.org_billing import billing_details_section, billing_terms_section
from opsportal.components.org_notifications import org_notifications_section
from opsportal.components.subsidiaries import rollup_link, subsidiary_list
from opsportal.state.auth import AuthState
from opsportal.state.billing_details import BillingDetailsState
from opsportal.state.grant import GrantState
from opsportal.state.org_billing import OrgBillingState
from opsportal.state.org_mfa import OrgMfaState
from opsportal.state.org_notifications import OrgNotificationsState
from opsportal.state.organization import OrganizationState


def _grant_form() -> rx.Component:
    select_style = {"padding": "0.4rem 0.5rem", "border_radius": "6px", "border": f"1px solid {rx.color('gray', 7)}",
                    **CONTROL_COLORS, "width": "100%"}
    return rx.cond(
        GrantState.allowed,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Grant credits", size="4", as_="h2"),
                    error_callout(GrantState.error),
                    rx.cond(GrantState.message != "",
                            rx.callout(GrantState.message, icon="check", color_scheme="green", role="status")),
                    rx.grid(
                        labelled("Product", "grant-product", rx.el.select(
                            rx.foreach(GrantState.products, lambda p: rx.el.option(p["label"], value=p["code"])),
                            id="grant-product", name="product", style=select_style)),
                        labelled("Quantity (hours such as 10 or 7:30; credits as a number)", "grant-quantity",
                                  rx.input(id="grant-quantity", name="quantity", required=True, width="100%")),
                        labelled("Type", "grant-kind", rx.el.select(
                            rx.el.option("Purchased", value="purchased"),
                            rx.el.option("Complimentary", value="complimentary"),
                            id="grant-kind", name="kind", style=select_style)),
                        labelled("Last usable day (optional)", "grant-expires",
                                  day_picker("grant-expires", "expires", width="100%")),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="3",
                        width="100%",
                    ),
                    rx.el.label(rx.hstack(rx.checkbox(name="shared", id="grant-shared",
                                                      aria_label="Share with all sub-organizations"),
                                          rx.text("Share with all sub-organizations", size="2"),
                                          spacing="2", align="center")),
                    rx.button("Grant", type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=GrantState.submit,
                reset_on_submit=False,
                aria_label="Grant credits",
            ),
            width="100%",
        ),
    )


def _member_row(m: rx.Var) -> rx.Component:
    # A long address breaks anywhere rather than push the role off a phone's screen.
    return rx.table.row(rx.table.cell(m["name"]), rx.table.cell(m["email"], overflow_wrap="anywhere"),
                        rx.table.cell(m["role"]))


@rx.page(route=routes.ORGANIZATION, title="Organization · OpsPortal",
         on_load=[OrganizationState.load, GrantState.load, OrgBillingState.load, BillingDetailsState.load,
                  OrgNotificationsState.load, OrgMfaState.load])
def organization_page() -> rx.Component:
    return app_shell(
        "Organization",
        error_callout(OrganizationState.error),
        rx.cond(
            OrganizationState.name != "",
            rx.vstack(
                rx.heading(OrganizationState.name, size="5", as_="h2", id="organization-name"),
                rx.cond(OrganizationState.parent_name != "",
                        rx.text("Part of ", OrganizationState.parent_name, size="2", color=rx.color("gray", 11))),
                rx.cond(OrganizationState.children.length() > 0,
                        rx.box(rx.text("Subsidiaries", size="2", weight="medium"),
                               subsidiary_list(OrganizationState.children, id="subsidiaries"),
                               rollup_link(OrganizationState.shown_id))),
                rx.cond(AuthState.is_staff,
                        rx.hstack(rx.link("Hours & Credits of this organization",
                                          href="/credits?org=" + OrganizationState.shown_id.to_string()),
                                  rx.link("Activity of this organization",
                                          href=routes.ACTIVITY + "?org=" + OrganizationState.shown_id.to_string()),
                                  spacing="4", wrap="wrap")),
                rx.text(OrganizationState.total, rx.cond(OrganizationState.total == 1, " active user", " active users"),
                        size="2"),
                rx.table.root(
                    rx.table.header(rx.table.row(rx.table.column_header_cell("Name"),
                                                 rx.table.column_header_cell("E-mail"),
                                                 rx.table.column_header_cell("Role"))),
                    rx.table.body(rx.foreach(OrganizationState.members, _member_row)),
                    width="100%",
                    aria_label="Team members",
                ),
                pager(OrganizationState),
                billing_details_section(),
                org_notifications_section(),
                org_requirement_section(),
                _grant_form(),
                billing_terms_section(),
                spacing="3",
                width="100%",
            ),
        ),
    )
