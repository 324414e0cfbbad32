"""The app shell: sidebar navigation, header with organization and user, sign out."""

from __future__ import annotations

import reflex as rx

from opsportal import routes
from opsportal.components.backend import BACKEND_ORIGIN
from opsportal.components.bell import bell, bell_starter
from opsportal.state.auth import AuthState

SIDEBAR_WIDTH = "15rem"
# Customers who see invoices and buy hours (domain.invoices.BILLING_ROLES); members do not.
_SEES_BILLING = (AuthState.role == "owner") | (AuthState.role == "admin") | (AuthState.role == "billing")
# Customers who read their organization's activity (domain.audit.may_read_activity).
_READS_ACTIVITY = (AuthState.role == "owner") | (AuthState.role == "admin")


_PATH = rx.State.router.url.path


def _is_current(href, also: tuple[str, ...] = ()) -> rx.Var:
    """Whether the page shown is ``href`` (or below it, or below one of ``also``): its link is ``aria-current``."""
    if isinstance(href, str) and href == routes.DASHBOARD:
        return (_PATH == "/") | (_PATH == "")
    current = (_PATH == href) | _PATH.startswith(href + "/")
    for prefix in also:
        current = current | (_PATH == prefix) | _PATH.startswith(prefix + "/")
    return current


def _nav_link(label: str, href, icon: str, *, also: tuple[str, ...] = (), exact: bool = False) -> rx.Component:
    """One link of the navigation; the current page's reads ``aria-current="page"`` and is shown selected.

    ``exact``: only ``href`` itself is its page (``/staff`` is the customers list, not every staff page)."""
    current = ((_PATH == href) | (_PATH == href + "/")) if exact else _is_current(href, also)
    return rx.el.li(rx.link(
        rx.hstack(rx.icon(icon, size=18, aria_hidden="true"), rx.text(label, size="3"), spacing="3", align="center"),
        href=href,
        underline="none",
        color=rx.color("gray", 12),
        padding_x="0.75rem",
        padding_y="0.3rem",
        border_radius="0.5rem",
        width="100%",
        display="block",
        aria_current=rx.cond(current, "page", "false"),
        _hover={"background": rx.color("accent", 3)},
        _focus_visible={"outline": f"2px solid {rx.color('accent', 8)}", "outlineOffset": "1px"},
        # Selected: a tint and a bar at the start (not bold: "Contact support" would wrap in the sidebar).
        style={"&[aria-current='page']": {"background": rx.color("accent", 4), "color": rx.color("accent", 12),
                                          "boxShadow": f"inset 3px 0 0 {rx.color('accent', 9)}"}},
    ), style={"listStyle": "none"})


def _group(place: str, key: str, title: str, *links: rx.Component) -> rx.Component:
    """A titled section of the navigation: a heading (screen readers jump between them) over its list of links.

    A heading, not a list named by ``aria-labelledby``: a named list would be a second element labelled
    "Organization" or "Billing" next to the pages' own fields of those names."""
    return rx.box(
        rx.heading(title, as_="h2", id=f"nav-{place}-{key}", size="1", weight="bold", color=rx.color("gray", 11),
                   style={"textTransform": "uppercase", "letterSpacing": "0.06em", "padding": "0 0.75rem 0.25rem",
                          "margin": "0"}),
        rx.el.ul(*links, style={"margin": "0", "padding": "0", "display": "grid", "gap": "0.125rem"}),
        width="100%",
    )


def _staff_groups(place: str) -> rx.Component:
    return rx.fragment(
        _group(place, "desk", "Support desk",
               _nav_link("Customers", routes.STAFF, "building-2", exact=True),
               _nav_link("Queue", routes.STAFF_QUEUE, "inbox", also=("/staff/tasks",)),
               _nav_link("Service levels", routes.STAFF_SLA, "timer"),
               _nav_link("Ratings", routes.STAFF_RATINGS, "thumbs-up")),
        _group(place, "billing", "Billing",
               _nav_link("Billing", routes.STAFF_BILLING, "receipt", also=("/staff/invoices",)),
               _nav_link("Disputes", routes.STAFF_DISPUTES, "scale"),
               _nav_link("Hour blocks", routes.STAFF_HOUR_BLOCKS, "package"),
               _nav_link("Services catalog", routes.STAFF_SERVICES, "briefcase")),
        _group(place, "offer", "Plans & software",
               _nav_link("Plans", routes.STAFF_PLANS, "shield-check"),
               _nav_link("Products", routes.STAFF_PRODUCTS, "package-open"),
               _nav_link("Phones & terms", routes.STAFF_SUPPORT, "phone")),
        _group(place, "content", "Content & mail",
               _nav_link("Knowledge base", routes.KB, "book-open"),
               _nav_link("K2 Community", routes.COMMUNITY, "messages-square"),
               _nav_link("Notices", routes.STAFF_NOTICES, "mail-warning"),
               _nav_link("Mail", routes.STAFF_MAIL, "mail", also=(routes.STAFF_MAIL_RECEIVED,))),
        _group(place, "records", "Records & account",
               _nav_link("Activity", routes.ACTIVITY, "history"),
               _nav_link("Account", routes.ACCOUNT, "user-cog")),
    )


def _customer_groups(place: str) -> rx.Component:
    return rx.fragment(
        _group(place, "support", "Support",
               _nav_link("Dashboard", routes.DASHBOARD, "layout-dashboard"),
               _nav_link("Tasks", routes.TASKS, "list-todo"),
               _nav_link("Contact support", routes.SUPPORT, "phone"),
               _nav_link("Knowledge base", routes.KB, "book-open"),
               _nav_link("K2 Community", routes.COMMUNITY, "messages-square")),
        _group(place, "billing", "Hours & billing",
               _nav_link("Hours & Credits", routes.CREDITS, "clock"),
               rx.cond(_SEES_BILLING, rx.fragment(
                   _nav_link("Buy hours and credits", routes.BUY_HOURS, "shopping-cart", also=("/billing/checkout",)),
                   _nav_link("My Invoices", routes.INVOICES, "receipt"),
                   _nav_link("Time sign-off", routes.TIMESHEET, "clipboard-check"))),
               _nav_link("Services", routes.SERVICES, "briefcase")),
        _group(place, "software", "Software",
               _nav_link("Support plan", routes.PLANS, "shield-check"),
               _nav_link("Products", routes.PRODUCTS, "package-open"),
               _nav_link("Downloads", routes.DOWNLOADS, "download")),
        _group(place, "organization", "Organization",
               _nav_link("Organization", "/organizations/" + AuthState.organization_id.to_string(), "users"),
               rx.cond(_READS_ACTIVITY & AuthState.has_subsidiaries,
                       _nav_link("Subsidiaries", routes.ROLLUP, "network")),
               rx.cond(_READS_ACTIVITY, _nav_link("Activity", routes.ACTIVITY, "history")),
               _nav_link("Notifications", routes.NOTIFICATIONS, "bell"),
               _nav_link("Account", routes.ACCOUNT, "user-cog")),
    )


def navigation(place: str = "side") -> rx.Component:
    """The main navigation in a few labelled groups (``place`` keeps the sidebar's and the menu's ids apart)."""
    return rx.el.nav(
        rx.vstack(
            rx.cond(AuthState.is_staff, _staff_groups(place), _customer_groups(place)),
            spacing="3",
            width="100%",
        ),
        aria_label="Main",
        width="100%",
    )


def _brand() -> rx.Component:
    return rx.hstack(
        rx.icon("life-buoy", size=22, color=rx.color("accent", 11), aria_hidden="true"),
        rx.text("OpsPortal", weight="bold", size="5"),
        align="center",
        spacing="2",
    )


def sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(_brand(), navigation(), spacing="6", width="100%"),
        display=["none", "none", "block"],
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        overflow_y="auto",
        padding="1.25rem",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


def mobile_menu() -> rx.Component:
    """Below the sidebar's breakpoint the same navigation opens from a named button (Radix: aria-expanded, Escape)."""
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(
                rx.icon_button(rx.icon("menu", aria_hidden="true"), variant="soft", aria_label="Menu",
                               id="menu-button"),
            ),
            rx.popover.content(navigation("menu"), align="start", width="16rem", max_width="calc(100vw - 1rem)",
                               max_height="calc(100vh - 5rem)", overflow_y="auto"),
        ),
        display=["block", "block", "none"],
    )


def sign_out_form() -> rx.Component:
    """Sign out: a form POST to the sign-out route, which ends the session and clears the HttpOnly cookie."""
    return rx.el.form(
        rx.button(
            rx.icon("log-out", size=16, aria_hidden="true"),
            "Sign out",
            type="submit",
            variant="outline",
            color_scheme="gray",
            high_contrast=True,
        ),
        action=BACKEND_ORIGIN + routes.SIGN_OUT_ACTION,
        method="post",
        on_submit=None,  # the browser sends it: a full page load to the login page follows
        aria_label="Sign out",
        margin="0",
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            mobile_menu(),
            rx.text(AuthState.organization_name, weight="bold", size="3", id="header-organization", min_width="0",
                    overflow_wrap="anywhere"),
            rx.spacer(),
            bell_starter(), rx.cond(AuthState.signed_in, bell()),
            rx.vstack(
                rx.text(AuthState.user_name, weight="medium", size="2"),
                rx.text(AuthState.role_label, size="1", color=rx.color("gray", 11)),
                spacing="0",
                align="end",
                display=["none", "flex"],  # a phone keeps the row for the menu, the organization and sign out
            ),
            sign_out_form(),
            align="center",
            spacing=rx.breakpoints(initial="2", sm="4"),
            width="100%",
        ),
        padding_x=["0.75rem", "1.5rem"],
        padding_y="0.75rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )


def app_shell(title: str, *children: rx.Component) -> rx.Component:
    """A protected page: renders nothing of its content until the user is known."""
    return rx.hstack(
        sidebar(),
        rx.vstack(
            header(),
            rx.el.main(
                rx.cond(
                    AuthState.signed_in,
                    rx.vstack(rx.heading(title, size=rx.breakpoints(initial="6", sm="7"), as_="h1",
                                         overflow_wrap="anywhere"),
                              *children, time_zone_footer(), spacing="5", width="100%", min_width="0"),
                    rx.center(rx.spinner(size="3"), aria_label="Loading", width="100%", padding="4rem"),
                ),
                padding=["1rem", "1.5rem"],
                width="100%",
                max_width="72rem",
                min_width="0",
            ),
            spacing="0",
            width="100%",
            # A flex item is as wide as its widest content unless told otherwise: wide tables scroll in their box.
            min_width="0",
        ),
        spacing="0",
        width="100%",
        align="start",
    )


def time_zone_footer() -> rx.Component:
    """Says which zone every time on the page is in, and where to change it."""
    return rx.el.footer(
        rx.text("Times in ", rx.el.span(AuthState.time_zone_label, id="page-time-zone"), " · ",
                rx.link("Change time zone", href=routes.ACCOUNT, color=rx.color("accent", 11), underline="always"),
                size="1", color=rx.color("gray", 11)),
        padding_top="1rem",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def error_callout(message) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def stat_card(label: str, value, hint=None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color=rx.color("gray", 11)),
            rx.text(value, size="7", weight="bold"),
            *( [rx.text(hint, size="1", color=rx.color("gray", 11))] if hint is not None else [] ),
            spacing="1",
        ),
        width="100%",
    )


def pager(state) -> rx.Component:
    return rx.cond(state.pages > 1, rx.hstack(
        rx.button("Previous", on_click=state.previous_page, disabled=state.page <= 1, variant="soft",
                  aria_label="Previous page"),
        rx.text("Page ", state.page, " of ", state.pages, size="2", aria_live="polite"),
        rx.button("Next", on_click=state.next_page, disabled=state.page >= state.pages, variant="soft",
                  aria_label="Next page"),
        align="center",
        spacing="3",
    ))
