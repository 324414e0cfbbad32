"""The Stripe sandbox's hosted checkout page (``/pay/<session id>``), rendered with the standard library.

Pure functions from a session's data to HTML; every value is escaped. Colours meet WCAG AA
(text at least 4.5:1, input borders and focus rings at least 3:1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

TEST_MODE_TEXT = ("Test mode — use 4242 4242 4242 4242 (succeeds) or 4000 0000 0000 0002 (declined). "
                  "4000 0000 0000 9995 is declined for insufficient funds. Any future expiry date and any CVC work.")

STYLE = """
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: #1a1f36; background: #ffffff; }
a { color: #0a57c2; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #0a57c2; outline-offset: 2px; }
.test-banner { padding: 0.5rem 1rem; background: #fff1c7; color: #5c3c00; text-align: center;
               font-size: 0.9375rem; border-bottom: 1px solid #e0c36b; }
.test-banner p { margin: 0; }
.layout { display: grid; grid-template-columns: 1fr; }
@media (min-width: 52rem) { .layout { grid-template-columns: 1fr 1fr; min-height: calc(100vh - 2.5rem); } }
.summary { background: #f6f9fc; padding: 2rem 1.5rem; }
.summary-inner, .pay-inner { max-width: 26rem; margin: 0 auto; }
@media (min-width: 52rem) { .summary-inner { margin-right: 3rem; } .pay-inner { margin-left: 3rem; } }
.pay { padding: 2rem 1.5rem; }
.back { display: inline-block; margin-bottom: 1.5rem; font-weight: 600; }
.merchant { margin: 0; font-size: 1rem; color: #4f566b; font-weight: 600; }
.total { margin: 0.25rem 0 1.5rem; font-size: 2.25rem; font-weight: 700; letter-spacing: -0.02em; }
.items { list-style: none; margin: 0; padding: 0; }
.items li { display: flex; justify-content: space-between; gap: 1rem; padding: 0.75rem 0;
            border-top: 1px solid #d8dee8; }
.item-name { font-weight: 600; }
.item-meta { display: block; color: #4f566b; font-size: 0.875rem; }
.item-amount { white-space: nowrap; font-weight: 600; }
.total-row { display: flex; justify-content: space-between; margin: 0; padding-top: 0.75rem;
             border-top: 2px solid #1a1f36; font-weight: 700; }
h1 { font-size: 1.375rem; margin: 0 0 1.25rem; }
h2 { font-size: 1.375rem; margin: 0 0 1.25rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 0.75rem; }
.field { margin-bottom: 1rem; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
label { display: block; margin-bottom: 0.25rem; font-weight: 600; font-size: 0.9375rem; }
.hint { font-weight: 400; color: #4f566b; font-size: 0.875rem; }
input { width: 100%; padding: 0.625rem 0.75rem; font: inherit; color: #1a1f36; background: #ffffff;
        border: 1px solid #6b7385; border-radius: 6px; }
input::placeholder { color: #6b7385; opacity: 1; }
input[readonly] { background: #f6f9fc; }
input[aria-invalid="true"] { border: 2px solid #b3093c; }
.field-error { margin: 0.25rem 0 0; color: #b3093c; font-size: 0.875rem; font-weight: 600; }
.alert { margin: 0 0 1.25rem; padding: 0.75rem 1rem; border: 2px solid #b3093c; border-radius: 6px;
         background: #fff5f7; color: #8a0630; font-weight: 600; }
.notice { padding: 1rem; border-radius: 6px; background: #f6f9fc; border: 1px solid #d8dee8; }
button { width: 100%; margin-top: 0.5rem; padding: 0.875rem 1rem; font: inherit; font-weight: 700; color: #ffffff;
         background: #0a2540; border: 0; border-radius: 6px; cursor: pointer; }
button:hover { background: #143d66; }
.fineprint { color: #4f566b; font-size: 0.875rem; text-align: center; margin-top: 1rem; }
"""


@dataclass(frozen=True)
class PageItem:
    """One line of the order summary, amounts already formatted."""

    name: str
    description: str | None
    quantity: int
    unit_price: str
    amount: str


@dataclass(frozen=True)
class PageView:
    """Everything the page shows. ``session`` is the Stripe-shaped session, or None when there is none."""

    merchant: str
    session: Mapping[str, Any] | None
    items: Sequence[PageItem] = ()
    total: str = ""
    success_url: str | None = None
    values: Mapping[str, str] | None = None  # what the form shows in its fields
    problems: Mapping[str, str] | None = None  # field name -> message
    alert: str | None = None


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def render_page(view: PageView) -> str:
    session = view.session
    if session is None:
        title, content = "Checkout not found", _not_found()
    else:
        title = {"complete": "Payment complete", "expired": "Checkout expired"}.get(session["status"],
                                                                                  f"Pay {view.merchant}")
        content = f'<div class="layout">{_summary(view)}<main class="pay"><div class="pay-inner">{_main(view)}' \
                  "</div></main></div>"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"robots\" content=\"noindex\">\n"
            f"<title>{e(title)} · Stripe sandbox</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f'<header class="test-banner"><p>{e(TEST_MODE_TEXT)}</p></header>\n{content}\n</body>\n</html>\n')


def _not_found() -> str:
    return ('<main class="pay"><div class="pay-inner"><h1>Checkout not found</h1>'
            '<p class="notice">There is no checkout session at this address. Sessions live only in the sandbox\'s '
            "memory, so a restart forgets them: start the payment again from the app.</p></div></main>")


def _summary(view: PageView) -> str:
    session = view.session
    assert session is not None
    back = ""
    if session.get("cancel_url") and session["status"] == "open":
        back = f'<a class="back" href="{e(session["cancel_url"])}"><span aria-hidden="true">←</span> Back</a>'
    rows = "".join(_summary_row(item) for item in view.items)
    return (f'<section class="summary" aria-labelledby="summary-heading"><div class="summary-inner">{back}'
            f'<h1 id="summary-heading" class="merchant">Pay {e(view.merchant)}</h1>'
            f'<p class="total">{e(view.total)}</p><ul class="items">{rows}</ul>'
            f'<p class="total-row"><span>Total due</span><span>{e(view.total)}</span></p></div></section>')


def _summary_row(item: PageItem) -> str:
    description = f'<span class="item-meta">{e(item.description)}</span>' if item.description else ""
    each = f" × {e(item.unit_price)}" if item.quantity > 1 else ""
    return (f'<li><span><span class="item-name">{e(item.name)}</span>{description}'
            f'<span class="item-meta">Qty {item.quantity}{each}</span></span>'
            f'<span class="item-amount">{e(item.amount)}</span></li>')


def _main(view: PageView) -> str:
    session = view.session
    assert session is not None
    if session["status"] == "complete":
        link = f'<p><a href="{e(view.success_url)}">Continue to {e(view.merchant)}</a></p>' if view.success_url else ""
        return (f'<h2>Payment complete</h2><p class="notice">This checkout session is already paid: '
                f"{e(view.total)} to {e(view.merchant)}.</p>{link}")
    if session["status"] == "expired":
        cancel = session.get("cancel_url")
        link = f'<p><a href="{e(cancel)}">Back to {e(view.merchant)}</a></p>' if cancel else ""
        return (f'<h2>This checkout session has expired</h2><p class="notice">It can no longer be paid. Start the '
                f"payment again from {e(view.merchant)}.</p>{link}")
    return _form(view)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    hint: str = ""
    attributes: tuple[tuple[str, str], ...] = ()


NUMERIC = (("inputmode", "numeric"),)
CARD_FIELDS = (
    FieldSpec("card_number", "Card number", attributes=(*NUMERIC, ("autocomplete", "cc-number"),
                                                         ("placeholder", "1234 1234 1234 1234"), ("maxlength", "23"))),
    FieldSpec("expiry", "Expiry date", "MM / YY", (*NUMERIC, ("autocomplete", "cc-exp"), ("placeholder", "MM / YY"),
                                                   ("maxlength", "9"))),
    FieldSpec("cvc", "CVC", "3 or 4 digits", (*NUMERIC, ("autocomplete", "cc-csc"), ("placeholder", "CVC"),
                                               ("maxlength", "4"))),
    FieldSpec("name", "Name on card", attributes=(("autocomplete", "cc-name"),)),
)


def _field(spec: FieldSpec, value: str, problem: str | None, *, autofocus: bool, readonly: bool = False,
           input_type: str = "text") -> str:
    """A labelled input; a problem is shown under it and tied to it with aria-describedby."""
    attributes = [("id", spec.name), ("name", spec.name), ("type", input_type), *spec.attributes,
                  ("value", value)]
    flags = ["required"] + (["readonly"] if readonly else [])
    if problem:
        attributes += [("aria-invalid", "true"), ("aria-describedby", f"{spec.name}-error")]
        flags += ["autofocus"] if autofocus else []
    rendered = " ".join([*(f'{k}="{e(v)}"' for k, v in attributes), *flags])
    hint = f' <span class="hint">{e(spec.hint)}</span>' if spec.hint else ""
    error = f'<p class="field-error" id="{spec.name}-error">{e(problem)}</p>' if problem else ""
    return f'<div class="field"><label for="{spec.name}">{e(spec.label)}{hint}</label><input {rendered}>{error}</div>'


def _form(view: PageView) -> str:
    session = view.session
    assert session is not None
    values = view.values or {}
    problems = view.problems or {}
    first_problem = next(iter(problems), None)

    def field(spec: FieldSpec, **options: Any) -> str:
        return _field(spec, values.get(spec.name, ""), problems.get(spec.name),
                      autofocus=spec.name == first_problem, **options)

    email = FieldSpec("email", "E-mail", attributes=(("autocomplete", "email"),))
    number, expiry, cvc, name = CARD_FIELDS
    alert = f'<div class="alert" role="alert" id="form-alert">{e(view.alert)}</div>' if view.alert else ""
    return (
        f"<h2>Pay with card</h2>{alert}"
        f'<form method="post" action="/pay/{e(session["id"])}" novalidate>'
        f"{field(email, input_type='email', readonly=bool(session.get('customer_email')))}"
        f"<h3>Card information</h3>{field(number)}"
        f'<div class="row">{field(expiry)}{field(cvc)}</div>{field(name)}'
        f'<button type="submit">Pay {e(view.total)}</button></form>'
        '<p class="fineprint">Stripe sandbox: no real card is charged.</p>'
    )
