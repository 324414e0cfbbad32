"""Who sent a received message, as the portal's own receiving server authenticated it (``domain/mail_auth.py``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.mail_auth import aligned, from_domain_authenticated, parse

MX = "mx.opsportal.example"
FROM = "mark@northwind.example"


def _ok(*headers: str, sender: str = FROM) -> bool:
    return from_domain_authenticated(headers, authserv_id=MX, from_address=sender)


def test_a_dmarc_pass_for_the_from_domain_authenticates_it():
    assert _ok(f"{MX}; dmarc=pass (p=reject) header.from=northwind.example")


def test_an_aligned_dkim_signature_authenticates_the_from_domain_even_from_a_subdomain():
    assert _ok(f"{MX}; dkim=pass header.d=mail.northwind.example header.s=s1; spf=fail smtp.mailfrom=x.example")


def test_an_spf_pass_for_an_aligned_envelope_sender_authenticates_the_from_domain():
    assert _ok(f"{MX}; spf=pass smtp.mailfrom=bounces@northwind.example")


def test_a_pass_for_another_domain_does_not_authenticate_the_from_domain():
    assert not _ok(f"{MX}; dkim=pass header.d=spammer.example; spf=pass smtp.mailfrom=spammer.example;"
                   " dmarc=pass header.from=spammer.example")


def test_a_header_written_by_another_server_counts_for_nothing():
    assert not _ok("mx.spammer.example; dmarc=pass header.from=northwind.example")


def test_failed_or_missing_checks_do_not_authenticate():
    assert not _ok(f"{MX}; dmarc=fail header.from=northwind.example; dkim=none; spf=softfail")
    assert not _ok(f"{MX}; none")
    assert not _ok()


def test_comments_and_versions_are_read_past():
    server, results = parse(f"{MX} 1; dkim/1=pass (good (nested) signature) header.d=northwind.example")
    assert server == MX and [(r.method, r.result, r.properties["header.d"]) for r in results] == [
        ("dkim", "pass", "northwind.example")]


def test_a_bare_top_level_domain_is_never_aligned():
    assert not aligned("example", "northwind.example")


def test_without_a_configured_server_nothing_is_authenticated():
    assert not from_domain_authenticated([f"{MX}; dmarc=pass header.from=northwind.example"], authserv_id="",
                                         from_address=FROM)


@given(st.text(max_size=200))
def test_any_header_text_is_read_without_raising(text):
    from_domain_authenticated([text], authserv_id=MX, from_address=FROM)
