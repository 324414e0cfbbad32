"""Downloads: the releases, updates and hotfixes of the organization's products. Gold Support gives them (seed 001);
a version past end of life needs Extended-Term naming it. Each release says whether it can be downloaded and, if
not, what to renew, with a link to buy it on the Plans page."""

import reflex as rx

from opsportal import routes
from opsportal.components.backend import backend_link
from opsportal.components.community import gold_elsewhere
from opsportal.components.layout import app_shell, error_callout, pager
from opsportal.state.software import DownloadsState as S

MUTED = rx.color("gray", 11)
CALLOUT_LINK = rx.color("gray", 12)  # on the amber callout: the accent colour falls short of AA there


def _ask_buyers(what: str) -> rx.Component:
    return rx.fragment("Your organization's owners, administrators and billing contacts can renew ", what,
                       " on the ", rx.link("Support plan", href=routes.PLANS, underline="always", weight="bold",
                                           color=CALLOUT_LINK, id="plans-link"), " page.")


def _renew_gold() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("shield-alert", aria_hidden="true")),
        rx.callout.text(
            "Your organization has no active Gold Support, and downloads need it. ",
            rx.cond(S.may_buy,
                    rx.fragment(rx.link("Renew Gold Support", href=routes.PLANS + "#offer-gold", underline="always",
                                        weight="bold", color=CALLOUT_LINK, id="renew-gold-link"),
                                " on the Support plan page to download the releases below."),
                    _ask_buyers("Gold Support")),
        ),
        color_scheme="amber", high_contrast=True, width="100%", id="downloads-need-gold", role="status",
    )


def _need_extended_term() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("history", aria_hidden="true")),
        rx.callout.text(
            S.eol_versions, " is past end of life: its downloads need an Extended-Term add-on naming it. ",
            rx.cond(S.may_buy,
                    rx.fragment(rx.link("Get Extended-Term", href=routes.PLANS + "#offer-extended_term",
                                        underline="always", weight="bold", color=CALLOUT_LINK,
                                        id="extended-term-link"),
                                " on the Support plan page."),
                    _ask_buyers("Extended-Term")),
        ),
        color_scheme="amber", high_contrast=True, width="100%", id="downloads-need-extended-term", role="status",
    )


def _release(r: rx.Var) -> rx.Component:
    return rx.el.li(rx.card(rx.vstack(
        rx.hstack(
            rx.heading(r["title"], size="3", as_="h3"),
            rx.badge(r["kind"], variant="soft", color_scheme="indigo", high_contrast=True),
            rx.badge(r["version"], " · ", r["status"], variant="soft", color_scheme=r["color"], high_contrast=True),
            spacing="2", align="center", wrap="wrap",
        ),
        rx.text("Released ", r["released"], " · ", r["file"], " · ", r["size"], size="2", color=MUTED),
        rx.cond(r["notes"] != "", rx.text(r["notes"], size="2", white_space="pre-wrap")),
        rx.text("SHA-256 ", rx.code(r["sha256"], class_name="release-sha256", word_break="break-all"), size="1",
                color=MUTED),
        rx.cond(
            r["allowed"] == "yes",
            backend_link(rx.hstack(rx.icon("download", size=16, aria_hidden="true"), rx.text("Download", size="2"),
                                   spacing="2", align="center"),
                         path=r["href"], aria_label="Download " + r["file"], class_name="release-download",
                         weight="medium"),
            rx.vstack(
                rx.text(r["reason"], size="2", color=rx.color("amber", 11), class_name="release-refusal"),
                rx.cond(r["offer"] != "", rx.link(r["offer"], href=r["offer_href"], size="2", underline="always",
                                                  aria_label=r["offer"] + " to download " + r["file"])),
                spacing="1",
            ),
        ),
        spacing="2", width="100%",
    ), width="100%"), list_style="none", class_name="release", id="release-" + r["id"])


@rx.page(route=routes.DOWNLOADS, title="Downloads · OpsPortal", on_load=S.load)
def downloads_page() -> rx.Component:
    return app_shell(
        "Downloads",
        rx.text("Gold Support gives access to all hotfixes, updates and major releases of the products your "
                "organization has purchased; versions past end of life need Extended-Term. Check a file with its "
                "SHA-256 checksum. ",
                rx.link("Your products and their versions", href=routes.PRODUCTS, underline="always"), ".",
                size="2", color=MUTED),
        error_callout(S.error),
        gold_elsewhere(S.gold_elsewhere, S.gold_elsewhere_buy, element_id="downloads-gold-elsewhere"),
        rx.cond(S.loaded & S.has_licences & ~S.gold_active, _renew_gold()),
        rx.cond(S.eol_versions != "", _need_extended_term()),
        rx.cond(
            S.rows.length() > 0,
            rx.el.ul(rx.foreach(S.rows, _release), padding="0", margin="0", width="100%", aria_label="Releases",
                     id="releases", display="flex", flex_direction="column", gap="0.75rem"),
            rx.cond(S.loaded, rx.text(rx.cond(S.has_licences, "No releases of your products yet.",
                                              "Your organization holds no product licences yet; the support team "
                                              "records them when you buy."), size="2", color=MUTED, id="releases")),
        ),
        pager(S),
    )
