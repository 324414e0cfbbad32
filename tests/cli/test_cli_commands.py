"""The operator's commands: what they print and what they write."""

from __future__ import annotations

import json

from opsportal.services.auth import sign_in
from opsportal.services.demo import DEMO_PASSWORD
from tests.utils.builders import load_org, load_user
from tests.utils.db import row_counts, table_names

PASSWORD = "an-operator-chosen-password"


def only_json_object(out: str) -> dict:
    """The whole of stdout must be one JSON object."""
    payload = json.loads(out)
    assert isinstance(payload, dict)
    return payload


def test_db_upgrade_creates_the_schema_on_an_empty_database(cli, empty_sqlite_database_url):
    result = cli("db", "upgrade")
    assert (result.code, result.out, result.err) == (0, "Database upgraded to head.\n", "")
    assert {"organization", "user_account", "login_session", "alembic_version"} <= table_names()


def test_db_upgrade_with_json_prints_one_object_and_is_harmless_when_repeated(cli, empty_sqlite_database_url):
    assert cli("db", "upgrade").code == 0
    result = cli("db", "upgrade", "--json")
    assert result.code == 0
    assert only_json_object(result.out) == {"upgraded_to": "head"}


def test_org_create_prints_the_new_organization(cli, sqlite_database_url):
    result = cli("org", "create", "Contoso")
    assert result.code == 0
    assert result.out == f"Created organization Contoso (id {load_org(1).id}).\n"
    assert result.err == ""


def test_org_create_with_json_prints_exactly_one_object_with_the_new_id(cli, sqlite_database_url):
    result = cli("org", "create", "  Contoso   Health ", "--json")
    assert result.code == 0
    org = only_json_object(result.out)
    assert isinstance(org["id"], int)
    assert (org["name"], org["parent_id"], org["parent_name"]) == ("Contoso Health", None, None)
    assert load_org(org["id"]).name == "Contoso Health"


def test_org_create_with_a_parent_links_the_child_to_it(cli, sqlite_database_url):
    parent = only_json_object(cli("org", "create", "Northwind Holdings", "--json").out)
    result = cli("org", "create", "Northwind Retail", "--parent", "northwind holdings", "--json")
    assert result.code == 0
    child = only_json_object(result.out)
    assert (child["parent_id"], child["parent_name"]) == (parent["id"], "Northwind Holdings")
    assert load_org(child["id"]).parent_id == parent["id"]


def test_user_create_reads_the_password_from_stdin_and_prints_one_json_object(cli, sqlite_database_url):
    org = only_json_object(cli("org", "create", "Contoso", "--json").out)
    result = cli("user", "create", "Ada@Contoso.example", "--org", "Contoso", "--role", "owner",
                 "--name", "Ada Lovelace", "--password-stdin", "--json", stdin=PASSWORD + "\n")
    assert result.code == 0, result.err
    user = only_json_object(result.out)
    assert user == {"id": user["id"], "email": "Ada@contoso.example", "full_name": "Ada Lovelace", "role": "owner",
                    "organization_id": org["id"], "organization_name": "Contoso"}
    assert PASSWORD not in result.out
    assert sign_in(email="ada@contoso.example", password=PASSWORD).actor.user_id == user["id"]


def test_user_create_keeps_only_the_first_line_of_stdin_without_its_line_ending(cli, sqlite_database_url):
    cli("org", "create", "Contoso")
    result = cli("user", "create", "ada@contoso.example", "--org", "Contoso", "--role", "member",
                 "--password-stdin", stdin=PASSWORD + "\r\nsecond line\n")
    assert result.code == 0, result.err
    assert sign_in(email="ada@contoso.example", password=PASSWORD).actor.email == "ada@contoso.example"


def test_user_create_without_a_password_prints_a_temporary_one_that_works(cli, sqlite_database_url):
    cli("org", "create", "Contoso")
    result = cli("user", "create", "grace@contoso.example", "--org", "Contoso", "--role", "member", "--json")
    assert result.code == 0
    user = only_json_object(result.out)
    temporary = user["temporary_password"]
    assert sign_in(email="grace@contoso.example", password=temporary).actor.user_id == user["id"]
    assert temporary not in load_user(user["id"]).password_hash


def test_user_create_for_staff_needs_no_organization(cli, sqlite_database_url):
    result = cli("user", "create", "alex@opsportal.example", "--role", "agent", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert result.code == 0
    assert result.out.startswith("Created agent alex@opsportal.example (id ")


def created_counts(payload: dict) -> dict[str, int]:
    return {k: v for k, v in payload.items() if k.endswith("_created")}


def test_demo_load_twice_adds_everything_once(cli, sqlite_database_url):
    first = cli("demo", "load", "--json")
    assert first.code == 0
    created = created_counts(only_json_object(first.out))
    assert (created["organizations_created"], created["users_created"]) == (4, 11)
    counts = row_counts()
    assert (counts["organization"], counts["user_account"]) == (4, 11)

    second = cli("demo", "load", "--json")
    assert second.code == 0
    assert created_counts(only_json_object(second.out)) == dict.fromkeys(created, 0)
    assert row_counts() == counts
    assert sign_in(email="sam.taylor@opsportal.example", password=DEMO_PASSWORD).actor.role.value == "staff_admin"


def test_demo_load_says_what_it_added_and_how_to_sign_in(cli, sqlite_database_url):
    result = cli("demo", "load")
    assert result.code == 0
    assert result.out.startswith("Demo data ready: 4 organizations, 11 users")
    assert result.out.endswith(f"Demo password: {DEMO_PASSWORD}\n")


def test_demo_load_reports_each_of_its_six_steps_on_stderr_and_keeps_stdout_to_the_summary(cli, sqlite_database_url):
    result = cli("demo", "load", "--json")
    assert result.code == 0
    only_json_object(result.out)
    assert result.err.splitlines() == [
        "Loading demo data, step 1 of 6: organizations and users", "Loading demo data, step 2 of 6: credits",
        "Loading demo data, step 3 of 6: tasks and time", "Loading demo data, step 4 of 6: knowledge base",
        "Loading demo data, step 5 of 6: invoices", "Loading demo data, step 6 of 6: support plans"]
