"""The "I accept the support terms (version N)" checkbox every purchase needs: plan and add-on orders, and
pay-per-incident requests. ``S`` is the page's state, with ``terms_version`` (0: none published), ``terms_accepted``
and ``set_terms_accepted``; the services check the version too."""

from __future__ import annotations

import reflex as rx

from opsportal import routes


def terms_checkbox(S, box_id: str, *, none_yet: str = "The support terms are not published yet; please contact "
                                                      "us to order.") -> rx.Component:
    return rx.cond(S.terms_version > 0, rx.hstack(
        rx.el.input(type="checkbox", id=box_id, checked=S.terms_accepted, on_change=S.set_terms_accepted,
                    style={"width": "1.1rem", "height": "1.1rem"}),
        rx.el.label("I accept the support terms (version ", S.terms_version.to_string(), ")", html_for=box_id,
                    style={"fontSize": "0.95rem", "fontWeight": "500"}),
        rx.link("Read the terms", href=routes.TERMS, is_external=True, size="2", underline="always"),
        spacing="2", align="center", wrap="wrap"),
        rx.callout(none_yet, icon="info", color_scheme="gray", size="1", width="100%"))
