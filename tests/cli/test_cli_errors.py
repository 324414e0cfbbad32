"""Bad input: a non-zero exit, one line on stderr, nothing on stdout, and nothing written."""

from __future__ import annotations

import pytest

from tests.utils.db import dump_tables

PASSWORD = "an-operator-chosen-password"


@pytest.fixture
def contoso(cli, sqlite_database_url):
    assert cli("org", "create", "Contoso").code == 0
    assert cli("user", "create", "ada@contoso.example", "--org", "Contoso", "--role", "owner",
               "--password-stdin", stdin=PASSWORD + "\n").code == 0


def refused(cli, *args: str, stdin: str = "", code: int = 1) -> str:
    before = dump_tables()
    result = cli(*args, "--json", stdin=stdin)
    assert result.code == code
    assert result.out == ""
    assert result.err.endswith("\n") and result.err.count("\n") == 1, result.err
    assert result.err.startswith("opsportal: error: ")
    assert dump_tables() == before
    return result.err.removeprefix("opsportal: error: ").rstrip("\n")


def test_an_unknown_parent_is_refused(cli, contoso):
    assert refused(cli, "org", "create", "Contoso Labs", "--parent", "Nowhere Inc") == (
        "Unknown parent organization 'Nowhere Inc'.")


def test_an_overlong_parent_name_is_refused_as_unknown(cli, contoso):
    assert refused(cli, "org", "create", "Contoso Labs", "--parent", "x" * 300).startswith(
        "Unknown parent organization 'xxx")


def test_a_duplicate_organization_name_is_refused(cli, contoso):
    assert refused(cli, "org", "create", "CONTOSO") == "An organization named 'CONTOSO' already exists."


def test_an_empty_organization_name_is_refused(cli, contoso):
    assert refused(cli, "org", "create", "   ") == "Organization name must not be empty."


def test_a_duplicate_email_in_another_case_is_refused(cli, contoso):
    message = refused(cli, "user", "create", "ADA@contoso.example", "--org", "Contoso", "--role", "member",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert message == "A user with e-mail ADA@contoso.example already exists."


def test_an_unknown_role_is_refused(cli, contoso):
    message = refused(cli, "user", "create", "grace@contoso.example", "--org", "Contoso", "--role", "root",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert message == "Unknown role 'root'; valid roles: owner, admin, billing, member, agent, staff_admin."


@pytest.mark.parametrize("email", ["grace", "grace@", "grace@@contoso.example", "grace at contoso.example"])
def test_a_malformed_email_is_refused(cli, contoso, email):
    message = refused(cli, "user", "create", email, "--org", "Contoso", "--role", "member",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert message.startswith(f"Malformed e-mail address {email!r}: ")


def test_an_unknown_organization_for_a_user_is_refused(cli, contoso):
    message = refused(cli, "user", "create", "grace@contoso.example", "--org", "Fabrikam", "--role", "member",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert message == "Unknown organization 'Fabrikam'."


def test_a_customer_without_an_organization_is_refused(cli, contoso):
    message = refused(cli, "user", "create", "grace@contoso.example", "--role", "member",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert message == "A member must belong to an organization."


def test_a_staff_user_with_an_organization_is_refused(cli, contoso):
    message = refused(cli, "user", "create", "alex@opsportal.example", "--org", "Contoso", "--role", "agent",
                      "--password-stdin", stdin=PASSWORD + "\n")
    assert message == "Staff users belong to the vendor: do not give an organization."


def test_a_password_that_breaks_the_rules_is_refused(cli, contoso):
    message = refused(cli, "user", "create", "grace@contoso.example", "--org", "Contoso", "--role", "member",
                      "--password-stdin", stdin="short\n")
    assert message == "Password must be at least 10 characters."


def test_an_empty_stdin_for_password_stdin_is_a_usage_error(cli, contoso):
    message = refused(cli, "user", "create", "grace@contoso.example", "--org", "Contoso", "--role", "member",
                      "--password-stdin", stdin="", code=2)
    assert message == "--password-stdin given but standard input held no password"


def test_reset_mfa_of_an_unknown_address_or_of_a_user_without_it_is_refused_saying_which(cli, contoso):
    assert refused(cli, "user", "reset-mfa", "nobody@example.com") == (
        "No user has the e-mail address nobody@example.com.")
    assert refused(cli, "user", "reset-mfa", "ada@contoso.example") == (
        "ada@contoso.example does not use two-step verification: there is nothing to reset.")
