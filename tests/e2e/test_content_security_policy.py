"""The built pages work under the portal's Content-Security-Policy: signing in, the dashboard, the knowledge base
and an article report no violation, and every page answer carries the security headers."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import OWNER, sign_in_with_form

# Runs before the page's own scripts (Playwright injects it outside the page's policy).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
"""


def _watch(page: Page) -> list[str]:
    """Every CSP complaint the page makes: console messages and the violation events of each document."""
    complaints: list[str] = []
    page.add_init_script(LISTEN)
    page.on("console", lambda message: complaints.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    return complaints


def _violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_the_pages_answer_with_the_security_headers_and_a_policy_without_inline_script(page: Page, base_url):
    response = page.goto(f"{base_url}/login")
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"):
        assert directive in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["server"] == "opsportal"
    assert "strict-transport-security" not in headers  # development


def test_signing_in_the_dashboard_and_the_knowledge_base_report_no_policy_violation(page: Page, base_url):
    complaints = _watch(page)
    sign_in_with_form(page, base_url, OWNER)
    expect(page.locator("#remaining-hours")).to_be_visible()  # the dashboard's figures came over the websocket
    assert _violations(page) == []

    page.get_by_role("link", name="Knowledge base").click()
    expect(page.get_by_role("heading", name="Knowledge base", level=1)).to_be_visible()
    page.get_by_label("Search the knowledge base").fill("invoice")
    results = page.get_by_role("list", name="Articles")
    expect(results.get_by_role("heading").first).to_have_text("Pay an invoice online")
    results.get_by_role("link", name="Pay an invoice online").click()
    expect(page.get_by_role("heading", name="Pay an invoice online", level=1)).to_be_visible()
    assert _violations(page) == []

    page.reload()  # a KB article page loaded afresh: its own document, its own inline scripts
    expect(page.get_by_role("heading", name="Pay an invoice online", level=1)).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#remaining-hours")).to_be_visible()
    assert _violations(page) == []

    # The task list writes its filters into the address from code compiled into the page (no eval).
    page.get_by_role("link", name="Tasks", exact=True).click()
    page.get_by_role("tab", name="Closed").click()
    expect(page).to_have_url(re.compile(r"/tasks\?tab=closed$"))
    assert _violations(page) == []
    assert complaints == []


def test_an_inline_script_the_build_did_not_hash_is_refused_and_reported(page: Page, base_url):
    complaints = _watch(page)
    page.goto(f"{base_url}/login")
    expect(page.get_by_label("E-mail address")).to_be_visible()
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__injected = true"; document.head.appendChild(s); }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__injected === undefined")
    assert _violations(page)[0].startswith("script-src-elem blocked inline")
    page.wait_for_timeout(200)  # the console message follows the event
    assert any("Content Security Policy" in complaint for complaint in complaints)
