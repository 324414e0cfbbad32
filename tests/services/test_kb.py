"""The knowledge base on a real database (SQLite FTS5 and PostgreSQL full-text search).

Articles are the vendor's, not an organization's: every customer of every organization reads the
same published articles, and only staff write. So the refusals tested here are by role (customer
vs staff) and by state (draft vs published), not by organization.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from alembic import command
from opsportal.db import get_engine, unit_of_work
from opsportal.migrations import alembic_config, upgrade
from opsportal.models import KbArticle
from opsportal.models.kb import SEARCH_COLUMN, is_search_object
from opsportal.services import kb
from opsportal.services.auth import sign_in
from opsportal.services.demo import DEMO_PASSWORD, load_demo
from opsportal.services.demo_kb import ARTICLES, load_demo_kb
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.db import dump_tables

BODY = "Restart the computer, then try again. If it still fails, submit a ticket with the error message."


def write(title: str, body: str = BODY, *, category: str = "Getting help", slug: str = "", published: bool = True,
          actor=OPERATOR) -> kb.ArticleDetail:
    return kb.create_article(actor, title=title, slug=slug, category=category, body_md=body, published=published)


def slugs(page) -> list[str]:
    return [hit.slug for hit in page.items]


def marked(hit: kb.ArticleHit) -> list[str]:
    return [part for part, is_hit in hit.snippet if is_hit]


# --- searching ---------------------------------------------------------------------------------------------------

def test_a_word_in_the_title_ranks_above_the_same_word_in_the_body(world):
    write("Printer queue stuck", "Jobs wait in the queue. Restart the print spooler service on the computer.")
    write("VPN disconnects", "If the VPN drops, check the printer is not sharing the network cable. " + BODY)
    result = kb.search(world.actor("holdings_member"), "printer")
    assert slugs(result) == ["printer-queue-stuck", "vpn-disconnects"]


def test_search_finds_a_word_in_the_body_and_marks_it_in_the_snippet(world):
    write("Mailbox full", "Empty Deleted Items, then sort by size and remove large attachments. " + BODY)
    [hit] = kb.search(world.actor("retail_member"), "attachments").items
    assert hit.slug == "mailbox-full"
    assert [m.lower() for m in marked(hit)] == ["attachments"]
    assert "sort by size" in "".join(part for part, _ in hit.snippet)


def test_search_matches_other_forms_of_a_word(world):
    write("VPN disconnects every few minutes", "The tunnel drops when the adapter sleeps. " + BODY)
    assert slugs(kb.search(world.actor("holdings_owner"), "disconnecting")) == ["vpn-disconnects-every-few-minutes"]


def test_every_word_must_match_and_when_none_holds_them_all_any_word_counts(world):
    write("Printer queue stuck", "Restart the print spooler. " + BODY)
    write("Wi-Fi drops out", "Move closer to the access point. " + BODY)
    actor = world.actor("holdings_member")
    strict = kb.search(actor, "printer spooler")
    assert (slugs(strict), strict.broadened) == (["printer-queue-stuck"], False)
    broad = kb.search(actor, "printer access point")
    assert broad.broadened is True
    assert set(slugs(broad)) == {"printer-queue-stuck", "wi-fi-drops-out"}


def test_an_empty_query_lists_the_most_recently_updated_articles_first(world):
    for title in ("First article here", "Second article here", "Third article here"):
        write(title)
    result = kb.search(world.actor("fabrikam_owner"), "   ")
    assert slugs(result) == ["third-article-here", "second-article-here", "first-article-here"]
    assert all(hit.snippet and not marked(hit) for hit in result.items)


def test_a_category_narrows_the_search_and_an_unknown_category_is_refused(world):
    write("Reset your password", category="Accounts & sign-in")
    write("Reset the printer", category="Printing")
    actor = world.actor("holdings_member")
    assert slugs(kb.search(actor, "reset", category="Printing")) == ["reset-the-printer"]
    with pytest.raises(InvalidInput, match="^Choose a category from the list.$"):
        kb.search(actor, "reset", category="Gardening")


def test_search_results_come_in_pages_with_the_total(world):
    for n in range(5):
        write(f"Restart guide number {n}")
    actor = world.actor("holdings_member")
    first, last = kb.search(actor, "restart", page_size=2), kb.search(actor, "restart", page=3, page_size=2)
    assert (first.total, first.pages, len(first.items)) == (5, 3, 2)
    assert (last.total, len(last.items)) == (5, 1)
    assert set(slugs(first)).isdisjoint(slugs(last))
    assert kb.search(actor, "restart", page=9, page_size=2).total == 5


@pytest.mark.parametrize("query", ['"', '"""', "-", "*", "AND OR NOT", "NEAR(a b)", "title:vpn", "vpn)", "(vpn",
                                   "');DROP TABLE kb_article;--", "^vpn", "vpn:*", "!vpn & |", "\\", "\x00",
                                   "😀 vpn", "a" * 5000])
def test_search_treats_any_punctuation_as_text_and_never_fails(world, query):
    write("VPN disconnects", "The VPN tunnel drops. " + BODY)
    result = kb.search(world.actor("holdings_member"), query)
    assert result.total >= 0


# --- suggestions for the ticket form ---------------------------------------------------------------------------

def test_suggest_offers_the_article_about_what_the_customer_is_typing(world):
    write("VPN disconnects or will not connect", "Check the network, sign in again, turn off power saving.",
          category="Networking & VPN")
    write("Printer queue stuck", "Restart the print spooler. " + BODY, category="Printing")
    found = kb.suggest(world.actor("retail_member"), "VPN disconnects every few minutes")
    assert [s.slug for s in found] == ["vpn-disconnects-or-will-not-connect"]


def test_suggest_matches_a_half_typed_last_word(world):
    write("Outlook keeps asking for a password", "Clear the saved credentials. " + BODY)
    assert [s.slug for s in kb.suggest(world.actor("holdings_member"), "outl")] == [
        "outlook-keeps-asking-for-a-password"]


@pytest.mark.parametrize("typed", ["", "   ", "the and of", '"', "'''", '"VPN', "VPN\"", "vpn -", "-vpn", "vpn*",
                                   "vpn OR", "NOT vpn", "(((", "vpn:*", "C:\\Users\\me", "<script>alert(1)</script>",
                                   "%_%", "\x00\x1f", "ВПН не работает", "wi-fi", "can't print!!!"])
def test_suggest_tolerates_punctuation_quotes_and_empty_text(world, typed):
    write("VPN disconnects", "The VPN tunnel drops every few minutes. " + BODY)
    found = kb.suggest(world.actor("holdings_member"), typed)
    assert isinstance(found, list) and len(found) <= 3


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(max_size=80))
def test_suggest_never_fails_on_any_text(world, typed):
    kb.suggest(world.actor("holdings_member"), typed)


def test_suggestions_are_left_out_rather_than_failing_the_ticket_form_when_the_search_fails(world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from opsportal.services import kb_search

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT ...", {}, Exception("database is locked"))

    monkeypatch.setattr(kb_search, "find", broken)
    assert kb.suggest(world.actor("holdings_member"), "VPN disconnects") == []


def test_suggest_returns_at_most_the_limit(world):
    for n in range(5):
        write(f"Restore a deleted file, case {n}", "Restore the deleted file from last night's backup. " + BODY,
              category="Backup & recovery")
    assert len(kb.suggest(world.actor("holdings_member"), "restore a deleted file", limit=3)) == 3


def test_suggest_leaves_out_articles_that_share_only_a_side_word(world):
    write("Restore a deleted file from backup", "Deleted files are restored from the nightly backup. " + BODY,
          category="Backup & recovery")
    write("Printer settings explained", "Paper sizes, trays, duplex, colour, toner levels, the file menu, "
          "scaling, margins, watermarks and booklet printing, each explained with pictures. " + BODY,
          category="Printing")
    found = kb.suggest(world.actor("holdings_member"), "I deleted a file by mistake, can you restore it?")
    assert [s.slug for s in found] == ["restore-a-deleted-file-from-backup"]


# --- drafts and who may write ----------------------------------------------------------------------------------

def test_customers_never_see_a_draft_in_search_suggestions_categories_or_by_address(world):
    write("Moving to the new VPN gateway", "The new VPN gateway replaces the old one. " + BODY,
          category="Networking & VPN", published=False)
    for name in ("holdings_owner", "holdings_member", "retail_member", "fabrikam_owner"):
        actor = world.actor(name)
        assert kb.search(actor, "gateway").total == 0
        assert kb.search(actor, "").total == 0
        assert kb.suggest(actor, "vpn gateway") == []
        assert kb.categories(actor) == []
        with pytest.raises(NotFound, match="^That article was not found"):
            kb.get_article(actor, "moving-to-the-new-vpn-gateway")


def test_staff_see_drafts_marked_as_drafts(world):
    write("Moving to the new VPN gateway", category="Networking & VPN", published=False)
    for name in ("agent", "staff_admin"):
        actor = world.actor(name)
        [hit] = kb.search(actor, "gateway").items
        assert hit.published is False
        assert kb.get_article(actor, hit.slug).published is False
        assert kb.categories(actor) == [kb.CategoryCount(name="Networking & VPN", articles=1)]


def test_every_organizations_customers_read_the_same_published_articles(world):
    write("Pay an invoice online", category="Billing & payments")
    seen = {name: kb.get_article(world.actor(name), "pay-an-invoice-online").title
            for name in ("holdings_owner", "retail_member", "logistics_owner", "fabrikam_owner")}
    assert set(seen.values()) == {"Pay an invoice online"}


def test_publishing_shows_a_draft_to_customers_and_unpublishing_hides_it_again(world):
    draft = write("Moving to the new VPN gateway", published=False)
    customer = world.actor("holdings_member")
    kb.set_published(world.actor("agent"), draft.id, True)
    assert kb.get_article(customer, draft.slug).published is True
    kb.set_published(world.actor("agent"), draft.id, False)
    with pytest.raises(NotFound):
        kb.get_article(customer, draft.slug)


WRITES = {
    "create": lambda actor, article: kb.create_article(
        actor, title="Customer-written article", category="Getting help", body_md=BODY, published=True),
    "update": lambda actor, article: kb.update_article(
        actor, article.id, title="Defaced", slug=article.slug, category="Getting help", body_md=BODY),
    "unpublish": lambda actor, article: kb.set_published(actor, article.id, False),
}


@pytest.mark.parametrize("role", ["holdings_owner", "holdings_admin", "holdings_billing", "holdings_member",
                                  "fabrikam_owner"])
@pytest.mark.parametrize("use_case", list(WRITES))
def test_customers_may_not_write_articles_and_nothing_is_written(world, role, use_case):
    article = write("Reset your password")
    before = dump_tables()
    with pytest.raises(PermissionDenied, match="^This area is for the support team only.$"):
        WRITES[use_case](world.actor(role), article)
    assert dump_tables() == before


def test_agents_and_staff_administrators_write_articles(world):
    by_agent = write("Written by an agent", actor=world.actor("agent"))
    by_admin = write("Written by an administrator", actor=world.actor("staff_admin"))
    assert (by_agent.author, by_admin.author) == ("Alex Kim", "Sam Taylor")


# --- bad input ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "problem"), [
    ({"title": ""}, {"title": "Give the article a title of at least 5 characters."}),
    ({"title": "", "slug": "fine-slug"}, {"title": "Give the article a title of at least 5 characters."}),
    ({"title": "   \t "}, {"title": "Give the article a title of at least 5 characters."}),
    ({"title": "x" * 201}, {"title": "Keep the title under 200 characters."}),
    ({"slug": "Not A Slug!"}, {"slug": "Use only lower-case letters, digits and single hyphens in the address, "
                                       "e.g. reset-password."}),
    ({"slug": "a--b"}, {"slug": "Use only lower-case letters, digits and single hyphens in the address, "
                                 "e.g. reset-password."}),
    ({"slug": "ab"}, {"slug": "The address must be 3 to 80 characters long."}),
    ({"category": "Gardening"}, {"category": "Choose a category."}),
    ({"body_md": "Too short"}, {"body_md": "Write the article (at least 20 characters)."}),
    ({"title": "", "category": "", "body_md": ""}, {
        "title": "Give the article a title of at least 5 characters.", "category": "Choose a category.",
        "body_md": "Write the article (at least 20 characters)."}),
    ({"title": "!!!!!!"}, {"slug": "Give the article an address (lower-case letters, digits and hyphens)."}),
])
def test_bad_article_input_is_refused_with_a_message_per_field_and_nothing_is_written(world, fields, problem):
    values = {"title": "Reset your password", "slug": "", "category": "Accounts & sign-in", "body_md": BODY, **fields}
    before = dump_tables()
    with pytest.raises(kb.InvalidArticle) as excinfo:
        kb.create_article(world.actor("agent"), **values)
    assert excinfo.value.problems == problem
    assert dump_tables() == before


def test_a_duplicate_address_is_refused_on_create_and_on_edit(world):
    first = write("Reset your password")
    other = write("Reset your printer")
    agent = world.actor("agent")
    before = dump_tables()
    with pytest.raises(kb.InvalidArticle) as created:
        kb.create_article(agent, title="Reset your password", category="Getting help", body_md=BODY)
    with pytest.raises(kb.InvalidArticle) as edited:
        kb.update_article(agent, other.id, title=other.title, slug=first.slug, category=other.category,
                          body_md=BODY)
    message = "Another article already uses the address “reset-your-password”. Choose another."
    assert created.value.problems == edited.value.problems == {"slug": message}
    assert dump_tables() == before


def test_the_address_is_made_from_the_title_when_left_blank(world):
    assert write("How prepaid hours & credits expire — in 2026!").slug == "how-prepaid-hours-credits-expire-in-2026"


def test_control_characters_and_windows_line_ends_are_not_stored(world):
    article = write("Clean\x00 text", "Line one\r\nLine two\x07 and enough words to be an article.")
    assert (article.title, article.body_md) == ("Clean text", "Line one\nLine two and enough words to be an article.")


def test_a_missing_article_and_a_malformed_address_answer_not_found(world):
    for slug in ("no-such-article", "../../etc/passwd", "", "UPPER"):
        with pytest.raises(NotFound):
            kb.get_article(world.actor("agent"), slug)


# --- editing keeps search in step ---------------------------------------------------------------------------------

def test_an_edited_article_is_found_by_its_new_words_and_no_longer_by_the_old(world):
    article = write("Printer queue stuck", "Restart the spooler. " + BODY)
    actor = world.actor("holdings_member")
    kb.update_article(world.actor("agent"), article.id, title="Printer offline", slug=article.slug,
                      category="Printing", body_md="Check the cable and the toner. " + BODY)
    assert kb.search(actor, "spooler").total == 0
    assert slugs(kb.search(actor, "toner")) == ["printer-queue-stuck"]
    assert kb.get_article(actor, "printer-queue-stuck").title == "Printer offline"


def test_a_deleted_article_leaves_the_search_index(world):
    write("Printer queue stuck", "Restart the spooler. " + BODY)
    with unit_of_work() as session:
        session.execute(KbArticle.__table__.delete())
    assert kb.search(OPERATOR, "spooler").total == 0
    assert kb.suggest(OPERATOR, "spooler") == []


def test_an_edit_based_on_an_old_version_is_refused_instead_of_overwriting(world):
    article = write("Printer queue stuck")
    agent, admin = world.actor("agent"), world.actor("staff_admin")
    kb.update_article(admin, article.id, title="Printer queue stuck (updated)", slug=article.slug,
                      category=article.category, body_md=BODY, expected_updated_at=article.updated_at)
    before = dump_tables()
    with pytest.raises(Conflict, match="^Someone else changed this article"):
        kb.update_article(agent, article.id, title="Stale edit", slug=article.slug, category=article.category,
                          body_md=BODY, expected_updated_at=article.updated_at)
    assert dump_tables() == before


# --- demo content and the schema -----------------------------------------------------------------------------------

def test_the_demo_knowledge_base_loads_once_and_answers_the_ticket_forms_vpn_question(database_url):
    load_demo(OPERATOR)
    assert load_demo_kb(OPERATOR) == len(ARTICLES)
    before = dump_tables()
    assert load_demo_kb(OPERATOR) == 0
    assert dump_tables() == before
    customer = sign_in(email="mark.osei@northwind.example", password=DEMO_PASSWORD).actor
    assert kb.search(OPERATOR, "").total == len(ARTICLES)
    assert kb.search(customer, "").total == sum(1 for *_rest, published, _body in ARTICLES if published) >= 12
    found = kb.suggest(customer, "VPN disconnects every few minutes")
    assert found[0].slug == "vpn-disconnects-or-will-not-connect"
    assert kb.get_article(customer, found[0].slug).author == "Sam Taylor"


@pytest.mark.parametrize("role", ["agent", "owner"])
def test_only_a_staff_administrator_loads_the_demo_knowledge_base(world, role):
    actor = world.actor("agent" if role == "agent" else "holdings_owner")
    before = dump_tables()
    with pytest.raises(PermissionDenied):
        load_demo_kb(actor)
    assert dump_tables() == before


def _search_objects(url: str) -> set[str]:
    inspector = inspect(get_engine(url))
    names = set(inspector.get_table_names())
    found = {name for name in names if is_search_object(name)}
    if "kb_article" in names:
        found |= {ix["name"] for ix in inspector.get_indexes("kb_article") if is_search_object(ix["name"])}
        found |= {c["name"] for c in inspector.get_columns("kb_article") if c["name"] == SEARCH_COLUMN}
    return found


def test_the_migration_creates_full_text_search_and_its_downgrade_removes_it(empty_database_url):
    url = empty_database_url
    upgrade(url, "0005")
    postgres = {"ix_kb_article_search", "search_vector"}
    sqlite = {"kb_article_fts", "kb_article_fts_config", "kb_article_fts_data", "kb_article_fts_docsize",
              "kb_article_fts_idx"}
    assert _search_objects(url) in (postgres, sqlite)
    command.downgrade(alembic_config(url), "0004")
    assert _search_objects(url) == set()
    upgrade(url)
    assert _search_objects(url)


@pytest.mark.postgres
def test_postgres_search_uses_the_full_text_index(postgres_database_url):
    write("Printer queue stuck")
    with get_engine().connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        from opsportal.services.kb_search import PG_DOCUMENT

        plan = conn.execute(text(f"EXPLAIN SELECT a.id FROM kb_article a "
                                 f"WHERE {PG_DOCUMENT} @@ to_tsquery('english', 'printer')")).scalars().all()
    assert any("ix_kb_article_search" in line for line in plan), plan
