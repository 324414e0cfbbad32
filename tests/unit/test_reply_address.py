"""A ticket's reply address names the ticket and carries the portal's signature; only a genuine one points at a
ticket, and every e-mail of a ticket threads on its root Message-ID."""

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain import reply_address as ra

SUPPORT = ra.SupportAddress.parse("OpsPortal Support <support@Support.Example>")
SECRET = "s" * 40


def test_the_support_address_is_read_in_lower_case_from_a_display_address():
    assert SUPPORT == ra.SupportAddress("support", "support.example")


def test_a_reply_address_points_at_its_ticket_with_a_valid_signature():
    address = ra.reply_address(123, SUPPORT, SECRET)
    assert address.startswith("support+t123-") and address.endswith("@support.example")
    assert ra.destination(address, SUPPORT, SECRET) == ra.Destination("ticket", 123, True)


def test_another_tickets_number_with_a_copied_signature_is_not_signed():
    genuine = ra.reply_address(123, SUPPORT, SECRET)
    forged = genuine.replace("+t123-", "+t124-")
    assert ra.destination(forged, SUPPORT, SECRET) == ra.Destination("ticket", 124, False)


def test_a_signature_made_with_another_secret_is_refused():
    address = ra.reply_address(7, SUPPORT, "another secret entirely, forty chars long")
    assert not ra.destination(address, SUPPORT, SECRET).signed


def test_a_reply_address_without_a_signature_names_no_ticket():
    assert ra.destination("support+t7@support.example", SUPPORT, SECRET) == ra.Destination("ticket", None, False)


def test_an_mta_upper_casing_the_address_does_not_break_the_signature():
    address = ra.reply_address(55, SUPPORT, SECRET).upper()
    assert ra.destination(f"Ann <{address}>", SUPPORT, SECRET) == ra.Destination("ticket", 55, True)


def test_the_plain_support_address_opens_a_new_ticket_and_others_are_not_ours():
    assert ra.destination("support@support.example", SUPPORT, SECRET).kind == "new"
    assert ra.destination("sales@support.example", SUPPORT, SECRET).kind == "other"
    assert ra.destination("support@elsewhere.example", SUPPORT, SECRET).kind == "other"
    assert ra.destination("not an address", SUPPORT, SECRET).kind == "other"


def test_a_reply_address_fits_in_a_64_character_local_part():
    local = ra.reply_address(2**31 - 1, SUPPORT, SECRET).split("@")[0]
    assert len(local) <= 64


def test_every_message_of_a_ticket_refers_to_the_same_thread_root():
    assert ra.thread_id(9, "support.example") == "<ticket-9@support.example>"
    assert ra.message_id(9, 3, 4, "support.example") != ra.message_id(9, 3, 5, "support.example")


@given(st.integers(min_value=1, max_value=2**31 - 1), st.integers(min_value=1, max_value=2**31 - 1))
def test_a_signature_is_valid_only_for_its_own_ticket(ticket, other):
    address = ra.reply_address(ticket, SUPPORT, SECRET)
    assert ra.destination(address, SUPPORT, SECRET) == ra.Destination("ticket", ticket, True)
    if other != ticket:
        moved = address.replace(f"+t{ticket}-", f"+t{other}-")
        assert not ra.destination(moved, SUPPORT, SECRET).signed
