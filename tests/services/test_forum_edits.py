"""Authors edit and delete their own K2 Community posts, search reaches answers, and a subsidiary without Gold is
told that Gold is held per organization — on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import forum as rules
from opsportal.models import ForumQuestion
from opsportal.services import forum, forum_edits, forum_moderation, forum_posts
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.utils.db import dump_tables
from tests.utils.forum import BODY, ask, gold_community


@pytest.fixture
def community(world):
    return gold_community(world, {"Servers": "Running K2 servers"})


def test_the_author_edits_their_answer_and_it_reads_edited_with_the_time(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Restart the service.")
    at = clock.now() + timedelta(minutes=5)
    assert forum_edits.edit_answer(community.actor("fabrikam_owner"), answer, "Restart the **K2** service.", at=at)
    [shown] = forum.get_question(community.actor("holdings_member"), question).answers.items
    assert shown.body_md == "Restart the **K2** service." and shown.edited_at == at and not shown.may_edit
    [own] = forum.get_question(community.actor("fabrikam_owner"), question).answers.items
    assert own.may_edit and own.source_md == "Restart the **K2** service."


def test_an_unchanged_edit_is_not_marked_edited(community):
    question = ask(community)
    assert forum_edits.edit_question(community.actor("holdings_member"), question, title="Server stops after backup",
                                     body=BODY) is False
    assert forum.get_question(community.actor("holdings_member"), question).edited_at is None


def test_the_asker_edits_their_question_and_search_finds_the_new_words(community):
    question = ask(community)
    forum_edits.edit_question(community.actor("holdings_member"), question, title="Server stops after snapshot",
                              body="Since the snapshot job moved to 02:30 the server hangs every night.")
    detail = forum.get_question(community.actor("fabrikam_owner"), question)
    assert detail.title == "Server stops after snapshot" and detail.edited_at is not None
    member = community.actor("fabrikam_owner")
    assert [r.id for r in forum.list_questions(member, query="snapshot").items] == [question]
    assert forum.list_questions(member, query="answering").items == []  # the old words are gone from the index


def test_a_colleague_another_organization_and_staff_may_not_edit_or_delete_someone_elses_posts(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Restart the service.")
    before = dump_tables()
    for who in ("holdings_owner", "fabrikam_owner", "agent"):  # a colleague of the asker, another org, staff
        with pytest.raises(PermissionDenied, match="Only its author"):
            forum_edits.edit_question(community.actor(who), question, title="A title of mine", body=BODY)
        with pytest.raises(PermissionDenied):
            forum_edits.delete_question(community.actor(who), question)
    for who in ("holdings_member", "logistics_owner", "agent"):
        with pytest.raises((PermissionDenied, NotFound)):
            forum_edits.edit_answer(community.actor(who), answer, "Not yours")
    assert dump_tables() == before


def test_a_customer_without_gold_edits_nothing_even_their_own_old_post(community):
    question = ask(community, who="holdings_member")
    with pytest.raises(PermissionDenied, match="Gold"):
        forum_edits.edit_question(community.actor("retail_owner"), question, title="A proper new title", body=BODY)


@pytest.mark.parametrize("body", ["", "  ", "z" * 20_001])
def test_an_empty_or_oversized_edit_is_refused_and_nothing_changes(community, body):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Restart the service.")
    before = dump_tables()
    with pytest.raises(InvalidInput):
        forum_edits.edit_answer(community.actor("fabrikam_owner"), answer, body)
    with pytest.raises(forum_posts.InvalidQuestion):
        forum_edits.edit_question(community.actor("holdings_member"), question, title="Short", body=body)
    assert dump_tables() == before


def test_an_unknown_answer_or_question_is_not_found(community):
    with pytest.raises(NotFound):
        forum_edits.edit_answer(community.actor("fabrikam_owner"), 987_654, "Anything")
    with pytest.raises(NotFound):
        forum_edits.delete_question(community.actor("fabrikam_owner"), 987_654)


def test_a_locked_thread_is_neither_edited_nor_deleted_by_its_authors(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Restart the service.")
    forum_moderation.set_locked(community.actor("agent"), question, True)
    with pytest.raises(Conflict, match="locked"):
        forum_edits.edit_answer(community.actor("fabrikam_owner"), answer, "Something else")
    with pytest.raises(Conflict, match="locked"):
        forum_edits.delete_answer(community.actor("fabrikam_owner"), answer)
    with pytest.raises(Conflict, match="locked"):
        forum_edits.edit_question(community.actor("holdings_member"), question, title="A new title here", body=BODY)


def test_a_question_with_answers_cannot_be_deleted_by_its_asker_but_one_without_can(community):
    question = ask(community)
    forum_posts.answer(community.actor("fabrikam_owner"), question, "Restart the service.")
    with pytest.raises(Conflict, match="has an answer, so it cannot be deleted"):
        forum_edits.delete_question(community.actor("holdings_member"), question)
    alone = ask(community, title="A question nobody answered")
    forum_posts.vote(community.actor("fabrikam_owner"), "question", alone)
    forum_edits.delete_question(community.actor("holdings_member"), alone)
    with pytest.raises(NotFound):
        forum.get_question(community.actor("holdings_member"), alone)
    with unit_of_work(write=False) as session:
        assert session.get(ForumQuestion, alone) is None


def test_an_accepted_answer_cannot_be_deleted_and_another_own_answer_can(community):
    question = ask(community)
    kept = forum_posts.answer(community.actor("fabrikam_owner"), question, "Restart the service.")
    other = forum_posts.answer(community.actor("fabrikam_owner"), question, "Or reboot the host.")
    forum_posts.accept(community.actor("holdings_member"), question, kept)
    with pytest.raises(Conflict, match=rules.ACCEPTED_STAYS[:30]):
        forum_edits.delete_answer(community.actor("fabrikam_owner"), kept)
    forum_posts.vote(community.actor("holdings_member"), "answer", other)
    assert forum_edits.delete_answer(community.actor("fabrikam_owner"), other) == question
    detail = forum.get_question(community.actor("holdings_member"), question)
    assert [a.id for a in detail.answers.items] == [kept] and detail.answers.total == 1
    assert forum.list_questions(community.actor("holdings_member")).items[0].answers == 1


def test_a_hidden_answer_is_not_found_by_its_author_to_edit(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Buy our product instead!")
    forum_moderation.hide(community.actor("agent"), "answer", answer, "Advertising")
    with pytest.raises(NotFound):
        forum_edits.edit_answer(community.actor("fabrikam_owner"), answer, "Nicer words now")


def test_search_finds_a_question_through_its_answer_with_a_snippet_of_the_answer(community):
    question = ask(community)
    forum_posts.answer(community.actor("agent"), question, "Switch the backup to copy-only snapshots with VSS.")
    [row] = forum.list_questions(community.actor("fabrikam_owner"), query="snapshots").items
    assert row.id == question and row.snippet_from_answer
    assert any(hit and "snapshot" in text.lower() for text, hit in row.snippet)


def test_a_question_matching_itself_shows_its_own_snippet_and_is_listed_once(community):
    question = ask(community)
    forum_posts.answer(community.actor("agent"), question, "The backup holds a lock; the backup must finish.")
    page = forum.list_questions(community.actor("fabrikam_owner"), query="backup")
    assert [r.id for r in page.items] == [question] and page.total == 1
    assert not page.items[0].snippet_from_answer


def test_a_hidden_answer_is_never_found_by_customers_but_staff_find_it(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Visit cheapkeys example for licences")
    forum_moderation.hide(community.actor("agent"), "answer", answer, "Advertising")
    for who in ("fabrikam_owner", "holdings_member"):
        assert forum.list_questions(community.actor(who), query="cheapkeys").items == []
    assert [r.id for r in forum.list_questions(community.actor("agent"), query="cheapkeys").items] == [question]


def test_search_results_are_paged_one_page_at_a_time(community):
    ids = [ask(community, title=f"Question number {n} here", body=f"Thread {n}: nothing about the topic yet.")
           for n in range(3)]
    for n, question in enumerate(ids):
        forum_posts.answer(community.actor("agent"), question, f"Upgrade the licensing agent ({n}).")
    member = community.actor("fabrikam_owner")
    first = forum.list_questions(member, query="licensing", page_size=2)
    second = forum.list_questions(member, query="licensing", page=2, page_size=2)
    assert first.total == 3 and len(first.items) == 2 and len(second.items) == 1
    assert {r.id for r in first.items + second.items} == set(ids)


def test_an_edited_answer_is_found_by_its_new_words_only(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Reinstall the connector.")
    forum_edits.edit_answer(community.actor("fabrikam_owner"), answer, "Rotate the certificate.")
    member = community.actor("holdings_member")
    assert forum.list_questions(member, query="connector").items == []
    assert [r.id for r in forum.list_questions(member, query="certificate").items] == [question]


def test_a_subsidiary_owner_without_gold_is_told_gold_is_per_organization_and_may_buy_it(community):
    home = forum.community_home(community.actor("retail_owner"))
    assert not home.access and home.gold_elsewhere.buy_link
    assert "covers Northwind Holdings only, not Northwind Retail" in home.gold_elsewhere.message


def test_a_subsidiary_member_is_told_to_ask_their_owner_by_name(community):
    home = forum.community_home(community.actor("retail_member"))
    assert not home.gold_elsewhere.buy_link
    assert "Ask your organization's owner (Rita Alvarez) to buy Gold Support for Northwind Retail." in (
        home.gold_elsewhere.message)


def test_an_organization_without_gold_anywhere_above_it_gets_no_gold_per_organization_notice(world):
    assert forum.community_home(world.actor("retail_owner")).gold_elsewhere is None
    assert forum.community_home(world.actor("agent")).gold_elsewhere is None


def test_the_downloads_page_tells_a_subsidiary_member_the_same_gold_per_organization_notice(community):
    from opsportal.services import software
    member = community.actor("retail_member")
    view = software.downloads(member, member.organization_id)
    assert not view.gold_active and not view.gold_elsewhere.buy_link
    assert "Ask your organization's owner (Rita Alvarez)" in view.gold_elsewhere.message
    owner = community.actor("holdings_owner")
    assert software.downloads(owner, owner.organization_id).gold_elsewhere is None
