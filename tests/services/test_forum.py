"""The K2 Community forum on a real database: who may read and post (active Gold, staff), accepting, voting,
moderation, bad input, search, following by e-mail, and a question turned into a ticket."""

from __future__ import annotations

import pytest

from opsportal.db import unit_of_work
from opsportal.domain import forum as rules
from opsportal.models import ForumQuestion, Ticket
from opsportal.services import forum, forum_mail, forum_moderation, forum_posts, subscriptions
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.utils.db import dump_tables
from tests.utils.forum import BODY, ask, gold_community
from tests.utils.mail import text_of, to


@pytest.fixture
def community(world):
    return gold_community(world, {"Servers": "Installing and running K2 servers", "Workflows": "Designing workflows"})


def test_a_customer_without_gold_is_refused_reading_and_posting(community):
    retail = community.actor("retail_owner")  # Northwind Retail has no Gold of its own
    question = ask(community)
    with pytest.raises(PermissionDenied, match="Gold"):
        forum.list_questions(retail)
    with pytest.raises(PermissionDenied, match="Gold"):
        forum.get_question(retail, question)
    before = dump_tables()
    with pytest.raises(PermissionDenied):
        forum_posts.ask(retail, category="servers", title="A question of ours", body=BODY)
    with pytest.raises(PermissionDenied):
        forum_posts.answer(retail, question, "Try restarting it.")
    assert dump_tables() == before


def test_a_customer_without_gold_sees_the_categories_and_is_told_they_have_no_access(community):
    home = forum.community_home(community.actor("retail_member"))
    assert home.access is False and [c.name for c in home.categories] == ["Servers", "Workflows"]


def test_customers_of_different_organizations_with_gold_share_the_community(community):
    question = ask(community)
    detail = forum.get_question(community.actor("fabrikam_owner"), question)
    assert detail.title == "Server stops after backup"
    assert detail.author == "Mark · Northwind Holdings"  # first name and organization, never a surname or e-mail


def test_staff_always_enter_the_community(community):
    assert forum.community_home(community.actor("staff_admin")).access is True


def test_only_the_asker_or_staff_accept_an_answer(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Check the backup's lock on the DB.")
    with pytest.raises(PermissionDenied, match="Only the person who asked"):
        forum_posts.accept(community.actor("fabrikam_owner"), question, answer)
    with pytest.raises(PermissionDenied):
        forum_posts.accept(community.actor("holdings_owner"), question, answer)  # a colleague is not the asker
    forum_posts.accept(community.actor("holdings_member"), question, answer)
    assert forum.get_question(community.actor("holdings_member"), question).accepted_answer_id == answer
    forum_posts.accept(community.actor("agent"), question, None)
    assert forum.get_question(community.actor("holdings_member"), question).accepted_answer_id is None


def test_an_answer_of_another_thread_cannot_be_accepted(community):
    first, second = ask(community), ask(community, title="Another thing entirely")
    answer = forum_posts.answer(community.actor("agent"), second, "Elsewhere.")
    with pytest.raises(NotFound):
        forum_posts.accept(community.actor("holdings_member"), first, answer)


def test_only_staff_moderate(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Rude words")
    customer = community.actor("holdings_owner")
    before = dump_tables()
    for attempt in (lambda: forum_moderation.hide(customer, "answer", answer, "Rude"),
                    lambda: forum_moderation.set_locked(customer, question, True),
                    lambda: forum_moderation.move(customer, question, "workflows"),
                    lambda: forum_moderation.set_staff_pick(customer, answer, True),
                    lambda: forum_moderation.create_category(customer, name="Our own")):
        with pytest.raises(PermissionDenied):
            attempt()
    assert dump_tables() == before


def test_a_hidden_answer_is_not_shown_to_customers_but_staff_see_it_with_the_reason(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("fabrikam_owner"), question, "Buy our competing product!")
    forum_moderation.hide(community.actor("agent"), "answer", answer, "Advertising")
    assert forum.get_question(community.actor("holdings_member"), question).answers.items == []
    [shown] = forum.get_question(community.actor("agent"), question).answers.items
    assert shown.hidden and shown.hidden_reason == "Advertising"


def test_a_hidden_question_reads_as_missing_to_customers_its_author_included(community):
    question = ask(community)
    forum_moderation.hide(community.actor("agent"), "question", question, "Duplicate of another thread")
    for who in ("holdings_member", "fabrikam_owner"):
        with pytest.raises(NotFound):
            forum.get_question(community.actor(who), question)
        assert forum.list_questions(community.actor(who)).items == []
    assert forum.get_question(community.actor("agent"), question).hidden is True


def test_hiding_needs_a_reason(community):
    question = ask(community)
    with pytest.raises(InvalidInput, match="Say why"):
        forum_moderation.hide(community.actor("agent"), "question", question, "  ")


def test_a_locked_thread_refuses_answers(community):
    question = ask(community)
    forum_moderation.set_locked(community.actor("agent"), question, True)
    with pytest.raises(Conflict, match="locked"):
        forum_posts.answer(community.actor("fabrikam_owner"), question, "One more thing")
    assert forum.get_question(community.actor("fabrikam_owner"), question).locked is True


def test_staff_move_a_thread_to_another_category(community):
    question = ask(community)
    forum_moderation.move(community.actor("agent"), question, "workflows")
    assert [r.id for r in forum.list_questions(community.actor("holdings_member"), category="workflows").items] == [
        question]


@pytest.mark.parametrize("title, body, field", [
    ("", BODY, "title"), ("Too short", BODY, "title"), ("x" * 151, BODY, "title"),
    ("A proper question title", "", "body"), ("A proper question title", "y" * 20_001, "body"),
])
def test_empty_or_oversized_questions_are_refused_and_nothing_is_written(community, title, body, field):
    before = dump_tables()
    with pytest.raises(forum_posts.InvalidQuestion) as refused:
        forum_posts.ask(community.actor("holdings_member"), category="servers", title=title, body=body)
    assert field in refused.value.problems
    assert dump_tables() == before


@pytest.mark.parametrize("body", ["", "   ", "z" * 20_001])
def test_empty_or_oversized_answers_are_refused(community, body):
    question = ask(community)
    with pytest.raises(InvalidInput):
        forum_posts.answer(community.actor("agent"), question, body)


def test_a_question_in_an_unknown_category_is_refused(community):
    with pytest.raises(forum_posts.InvalidQuestion) as refused:
        forum_posts.ask(community.actor("holdings_member"), category="nowhere", title="A proper title", body=BODY)
    assert "category" in refused.value.problems


def test_one_up_vote_per_user_and_post_and_never_on_ones_own(community):
    question = ask(community)
    answer = forum_posts.answer(community.actor("agent"), question, "Check the lock.")
    fabrikam = community.actor("fabrikam_owner")
    assert forum_posts.vote(fabrikam, "answer", answer) == 1
    assert forum_posts.vote(fabrikam, "answer", answer) == 1  # a second vote counts once
    assert forum_posts.vote(community.actor("holdings_member"), "answer", answer) == 2
    assert forum_posts.vote(fabrikam, "answer", answer, up=False) == 1
    with pytest.raises(Conflict, match="your own"):
        forum_posts.vote(community.actor("holdings_member"), "question", question)


def test_search_finds_questions_by_their_words_and_leaves_hidden_ones_out_for_customers(community):
    first = ask(community, title="Server stops after backup")
    second = ask(community, title="Workflow designer freezes on save", body="The designer hangs whenever we save.")
    member = community.actor("fabrikam_owner")
    assert [r.id for r in forum.list_questions(member, query="backup").items] == [first]
    assert [r.id for r in forum.list_questions(member, query="designer freezes").items] == [second]
    forum_moderation.hide(community.actor("agent"), "question", second, "Off topic")
    assert forum.list_questions(member, query="designer").items == []
    assert [r.id for r in forum.list_questions(community.actor("agent"), query="designer").items] == [second]


def test_followers_are_mailed_a_new_answer_but_not_its_author(community, inbox):
    question = ask(community)
    forum_posts.set_following(community.actor("fabrikam_owner"), question, True)
    forum_posts.answer(community.actor("agent"), question, "Check the **backup** lock.")
    assert inbox.new() == []  # nothing is sent inside the use case
    forum_mail.send_pending()
    mails = inbox.new()
    assert sorted(to(m) for m in mails) == ["fiona@fabrikam.example", "mark@northwind.example"]
    assert "Check the **backup** lock." in text_of(mails[0])
    forum_posts.answer(community.actor("fabrikam_owner"), question, "Thanks, that helped us too.")
    forum_mail.send_pending()
    assert [to(m) for m in inbox.new()] == ["mark@northwind.example"]


def test_a_follower_who_opted_out_of_community_mail_gets_none(community, inbox):
    question = ask(community)
    subscriptions.unsubscribe(community.actor("holdings_member"), "community_answers", confirm=True)
    forum_posts.answer(community.actor("agent"), question, "An answer")
    forum_mail.send_pending()
    assert inbox.new() == []


def test_the_asker_turns_their_question_into_a_ticket_linked_both_ways(community):
    question = ask(community)
    with pytest.raises(PermissionDenied):
        forum_posts.to_ticket(community.actor("holdings_owner"), question)
    ticket_id = forum_posts.to_ticket(community.actor("holdings_member"), question)
    with unit_of_work(write=False) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.organization_id == community.holdings.id and ticket.title == "Server stops after backup"
        assert f"/community/questions/{question}" in ticket.description
        assert session.get(ForumQuestion, question).ticket_id == ticket_id
    assert forum.get_question(community.actor("holdings_member"), question).ticket_id == ticket_id
    assert forum.get_question(community.actor("fabrikam_owner"), question).ticket_id is None  # not theirs to see
    with pytest.raises(Conflict):
        forum_posts.to_ticket(community.actor("holdings_member"), question)


def test_staff_written_answers_and_staff_picks_are_marked(community):
    question = ask(community)
    by_staff = forum_posts.answer(community.actor("agent"), question, "From support")
    by_customer = forum_posts.answer(community.actor("fabrikam_owner"), question, "From a peer")
    forum_moderation.set_staff_pick(community.actor("agent"), by_customer, True)
    answers = {a.id: a for a in forum.get_question(community.actor("holdings_member"), question).answers.items}
    assert answers[by_staff].from_staff and answers[by_staff].author == "Alex · K2 Support"
    assert answers[by_customer].staff_pick and not answers[by_customer].from_staff


def test_bodies_are_served_with_unsafe_links_removed(community):
    question = ask(community, body="See [this](javascript:alert(1)) and <script>alert(2)</script> please, thanks")
    body = forum.get_question(community.actor("fabrikam_owner"), question).body_md
    assert "javascript:" not in body and "<script>" not in body


def test_category_names_must_be_new_and_not_the_forums_own_pages(community):
    with pytest.raises(InvalidInput):
        forum_moderation.create_category(community.actor("agent"), name="Servers")
    with pytest.raises(InvalidInput):
        forum_moderation.create_category(community.actor("agent"), name="Ask")
    assert rules.NO_ACCESS.startswith("The K2 Community")


def test_the_demo_community_loads_once_with_an_accepted_answer_and_only_for_staff_administrators(world):
    from opsportal.services.demo import load_demo
    from opsportal.services.demo_forum import THREADS, load_demo_forum
    from opsportal.services.operator import OPERATOR

    with pytest.raises(PermissionDenied):
        load_demo_forum(world.actor("agent"))
    load_demo(OPERATOR)
    assert load_demo_forum(OPERATOR) == len(THREADS)
    assert load_demo_forum(OPERATOR) == 0
    rows = forum.list_questions(world.actor("agent"), page_size=50).items
    assert len(rows) == len(THREADS) and sum(r.answered for r in rows) == 1
