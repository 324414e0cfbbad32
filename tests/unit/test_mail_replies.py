"""Quoted text and signatures are cut from e-mail replies, as the common mail clients write them."""

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.mail_replies import REPLY_MARKER, strip_reply

GMAIL = """Thanks, the printer works again after the restart.

Could you also check the scanner?

On Thu, 3 Dec 2026 at 14:05, OpsPortal <no-reply@opsportal.example> wrote:
> ##- Please type your reply above this line -##
>
> Dana Agent replied on task #12:
> Please restart the printer.
"""

GMAIL_FOLDED = """Works now.

On Thu, Dec 3, 2026 at 2:05 PM OpsPortal Support Services <
support+t12-abc@support.opsportal.example> wrote:

> Please restart the printer.
"""

OUTLOOK = """Hi Dana,

the VPN still drops every hour.

Regards,
Ann

________________________________
From: OpsPortal <no-reply@opsportal.example>
Sent: Thursday, December 3, 2026 2:05 PM
To: Ann Owner <ann@northwind.example>
Subject: [Task #12] VPN drops

##- Please type your reply above this line -##
Dana Agent replied on task #12
"""

OUTLOOK_ORIGINAL = """Done, thank you.

-----Original Message-----
From: OpsPortal
Sent: 3 December 2026 14:05
Subject: [Task #12] VPN drops
"""

SIGNATURE = """I attached nothing, the log is below:
error 42 at 09:00

-- 
Ann Owner | Northwind Holdings
+1 555 0100
"""

IPHONE = """Yes please go ahead.

Sent from my iPhone

> On 3 Dec 2026, at 14:05, OpsPortal <no-reply@opsportal.example> wrote:
"""

INTERLEAVED = """> Did the restart help?
Yes, it did.
> Is the scanner fine?
No, it jams.
"""


def test_gmail_reply_keeps_only_the_text_above_on_date_wrote():
    assert strip_reply(GMAIL) == ("Thanks, the printer works again after the restart.\n\n"
                                  "Could you also check the scanner?")


def test_an_attribution_line_folded_by_the_client_is_still_recognised():
    assert strip_reply(GMAIL_FOLDED) == "Works now."


def test_outlook_reply_is_cut_at_its_from_sent_header_block_and_the_line_above_it():
    assert strip_reply(OUTLOOK) == "Hi Dana,\n\nthe VPN still drops every hour.\n\nRegards,\nAnn"


def test_outlook_original_message_separator_cuts_the_reply():
    assert strip_reply(OUTLOOK_ORIGINAL) == "Done, thank you."


def test_dash_dash_space_signature_is_removed():
    assert strip_reply(SIGNATURE) == "I attached nothing, the log is below:\nerror 42 at 09:00"


def test_sent_from_my_iphone_and_what_follows_is_removed():
    assert strip_reply(IPHONE) == "Yes please go ahead."


def test_interleaved_answers_keep_the_authors_lines_only():
    assert strip_reply(INTERLEAVED) == "Yes, it did.\nNo, it jams."


def test_our_reply_marker_cuts_even_without_quoting():
    assert strip_reply(f"Fine by me.\n\n{REPLY_MARKER}\nDana replied: ...") == "Fine by me."


def test_windows_line_endings_are_read_like_unix_ones():
    assert strip_reply(GMAIL.replace("\n", "\r\n")).startswith("Thanks, the printer works")


def test_a_line_merely_starting_with_on_is_not_an_attribution():
    text = "On Monday I restarted the server.\nIt wrote: nothing to the log."
    assert strip_reply(text) == text


def test_a_reply_with_only_quoted_text_is_empty():
    assert strip_reply("> quoted\n> more\n") == ""


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_stripping_never_adds_text_and_is_idempotent(text):
    once = strip_reply(text)
    assert len(once) <= len(text.replace("\r\n", "\n")) and strip_reply(once) == once
