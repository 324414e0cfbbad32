"""The K2 Community's rules without a database: access, accepting, voting, moderation, input and safe Markdown."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain import forum as rules

CUSTOMER = rules.Reader(user_id=7, is_staff=False, has_gold=True)
NO_GOLD = rules.Reader(user_id=8, is_staff=False, has_gold=False)
STAFF = rules.Reader(user_id=1, is_staff=True, has_gold=False)


def test_a_customer_enters_only_with_active_gold_and_staff_always():
    assert rules.may_enter(CUSTOMER) and not rules.may_enter(NO_GOLD) and rules.may_enter(STAFF)


@given(st.integers(1, 50), st.integers(1, 50), st.booleans())
def test_only_the_asker_or_staff_may_accept(reader_id, asker_id, staff):
    who = rules.Reader(user_id=reader_id, is_staff=staff, has_gold=True)
    assert rules.may_accept(who, asker_user_id=asker_id) == (staff or reader_id == asker_id)


def test_a_question_whose_asker_left_is_accepted_by_staff_only():
    assert not rules.may_accept(CUSTOMER, asker_user_id=None) and rules.may_accept(STAFF, asker_user_id=None)


def test_only_staff_moderate_and_see_hidden_posts():
    assert rules.may_moderate(STAFF) and rules.may_see_hidden(STAFF)
    assert not rules.may_moderate(CUSTOMER) and not rules.may_see_hidden(CUSTOMER)


@given(st.integers(1, 20), st.one_of(st.none(), st.integers(1, 20)), st.booleans())
def test_a_vote_is_refused_on_ones_own_post_and_on_hidden_posts_only(reader_id, author_id, hidden):
    who = rules.Reader(user_id=reader_id, is_staff=False, has_gold=True)
    problem = rules.vote_problem(who, author_user_id=author_id, hidden=hidden)
    assert (problem is None) == (author_id != reader_id and not hidden)


def test_a_locked_thread_takes_no_answers():
    assert rules.answer_problem(locked=True, question_hidden=False) == rules.LOCKED
    assert rules.answer_problem(locked=False, question_hidden=False) is None


@pytest.mark.parametrize("title, body, fields", [
    ("", "", {"title", "body"}),
    ("How do I reset it?", "short", {"body"}),
    ("x" * 151, "A long enough description of it.", {"title"}),
    ("How do I reset it?", "y" * 20_001, {"body"}),
    ("How do I reset it?", "A long enough description of it.", set()),
])
def test_titles_and_bodies_must_be_neither_empty_nor_oversized(title, body, fields):
    assert set(rules.question_problems(title, body)) == fields


def test_an_empty_or_oversized_answer_is_refused():
    assert rules.answer_body_problem("") and rules.answer_body_problem("a" * 20_001)
    assert rules.answer_body_problem("Yes.") is None


def test_authors_are_named_by_first_name_and_organization_never_surname_or_address():
    assert rules.author_label("Mark Osei", "Northwind", from_staff=False) == "Mark · Northwind"
    assert rules.author_label("mark@northwind.example", "Northwind", from_staff=False) == "A member · Northwind"
    assert rules.author_label("Alex Kim", None, from_staff=True) == "Alex · K2 Support"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html;base64,xx", "vbscript:msgbox", "//evil.example/x"])
def test_unsafe_link_targets_are_refused(url):
    assert not rules.safe_url(url)


@pytest.mark.parametrize("url", ["https://k2.example/docs", "http://x.example", "mailto:help@k2.example",
                                 "/kb/reset-password", "#step-2", "kb/reset"])
def test_web_mail_and_site_links_are_kept(url):
    assert rules.safe_url(url)


def test_a_javascript_link_keeps_its_text_and_loses_its_target():
    assert rules.safe_markdown("Click [here](javascript:alert(1)) now") == "Click here now"


def test_a_safe_link_is_left_as_written():
    text = "See [the guide](https://k2.example/guide \"Guide\")."
    assert rules.safe_markdown(text) == text


def test_html_is_shown_as_text_never_run():
    out = rules.safe_markdown("<script>alert(1)</script><img src=x onerror=alert(2)>")
    assert "<script" not in out and "<img" not in out and "&lt;script&gt;" in out


def test_images_become_links_and_unsafe_autolinks_and_references_are_disarmed():
    assert rules.safe_markdown("![chart](https://x.example/c.png)") == "[chart](https://x.example/c.png)"
    assert "<javascript:" not in rules.safe_markdown("<javascript:alert(1)>")
    assert rules.safe_markdown("<https://k2.example>") == "<https://k2.example>"
    assert rules.safe_markdown("[x]: javascript:alert(1)\n\n[go][x]").startswith("\n")


@given(st.text(alphabet=st.sampled_from(list("[]()<>!:jJavascript /-#\"'\n\t")), max_size=80))
def test_no_markdown_ever_comes_out_with_a_javascript_link_target(text):
    out = rules.safe_markdown(text)
    for target in re.findall(r"\]\(\s*<?([^)\s>]*)", out):
        assert rules.safe_url(target) or not target.replace("\t", "").lower().startswith("javascript")
    assert not re.search(r"<\s*script", out, re.IGNORECASE)


# --- authors editing and deleting their posts ---

AUTHOR = rules.Reader(user_id=7, is_staff=False, has_gold=True)


@given(st.integers(1, 20), st.one_of(st.none(), st.integers(1, 20)), st.booleans(), st.booleans())
def test_only_the_author_edits_a_post_and_never_in_a_locked_thread(reader_id, author_id, staff, locked):
    who = rules.Reader(user_id=reader_id, is_staff=staff, has_gold=True)
    problem = rules.edit_problem(who, author_user_id=author_id, locked=locked)
    assert (problem is None) == (reader_id == author_id and not locked)
    assert rules.may_edit(who, author_user_id=author_id, locked=locked) == (problem is None)


def test_staff_who_did_not_write_a_post_are_told_to_hide_it_instead_of_editing():
    assert "hides a post with a reason" in rules.edit_problem(STAFF, author_user_id=7, locked=False)
    assert rules.edit_problem(CUSTOMER, author_user_id=9, locked=False) == rules.NOT_AUTHOR


def test_a_post_whose_author_left_is_edited_by_nobody():
    assert rules.edit_problem(STAFF, author_user_id=None, locked=False) is not None


def test_a_locked_thread_refuses_its_authors_edits_and_deletions():
    assert rules.edit_problem(AUTHOR, author_user_id=7, locked=True) == rules.LOCKED_POSTS
    assert rules.answer_delete_problem(AUTHOR, author_user_id=7, locked=True, accepted=False) == rules.LOCKED_POSTS
    assert rules.question_delete_problem(AUTHOR, author_user_id=7, locked=True, answers=0,
                                         ticket_id=None) == rules.LOCKED_POSTS


@given(st.integers(0, 5), st.one_of(st.none(), st.integers(1, 99)))
def test_the_asker_deletes_a_question_only_while_it_has_no_answers_and_is_no_ticket(answers, ticket_id):
    problem = rules.question_delete_problem(AUTHOR, author_user_id=7, locked=False, answers=answers,
                                            ticket_id=ticket_id)
    assert (problem is None) == (answers == 0 and ticket_id is None)


def test_a_question_with_answers_says_why_it_stays_and_that_staff_can_hide_it():
    problem = rules.question_delete_problem(AUTHOR, author_user_id=7, locked=False, answers=2, ticket_id=None)
    assert "has 2 answers, so it cannot be deleted" in problem and "ask the support team to hide it" in problem
    one = rules.question_delete_problem(AUTHOR, author_user_id=7, locked=False, answers=1, ticket_id=None)
    assert "has an answer" in one


def test_a_question_that_became_a_ticket_says_the_ticket_links_to_it():
    problem = rules.question_delete_problem(AUTHOR, author_user_id=7, locked=False, answers=0, ticket_id=42)
    assert "support ticket #42" in problem


@given(st.booleans())
def test_an_accepted_answer_cannot_be_deleted_but_any_other_own_answer_can(accepted):
    problem = rules.answer_delete_problem(AUTHOR, author_user_id=7, locked=False, accepted=accepted)
    assert problem == (rules.ACCEPTED_STAYS if accepted else None)


def test_nobody_deletes_someone_elses_post_staff_included():
    for who in (CUSTOMER, STAFF):
        assert rules.answer_delete_problem(who, author_user_id=99, locked=False, accepted=False) is not None
        assert rules.question_delete_problem(who, author_user_id=99, locked=False, answers=0,
                                             ticket_id=None) is not None
