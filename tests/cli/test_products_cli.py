"""`opsportal products ...` and `opsportal licences ...`: the catalog and licences from the operator's command line
(SQLite): what they print, what they refuse with one line and a non-zero exit (writing nothing), and the audit log
naming no person."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import AuditEvent
from tests.utils.builders import make_org
from tests.utils.db import row_counts
from tests.utils.plans import set_up_gold


@pytest.fixture
def northwind(sqlite_database_url):
    org = make_org("Northwind Holdings")
    set_up_gold(org)  # the support regions too
    return org


def _audit() -> list[tuple[str, str, str]]:
    with unit_of_work(write=False) as session:
        return [(e.action, e.actor_name, e.target) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.fixture
def five(cli, northwind):
    assert cli("products", "add", "K2 Five").code == 0
    assert cli("products", "versions", "add", "K2 Five", "5.4", "--ga", "2024-01-10", "--sunset", "2026-01-10",
               "--eol", "2027-01-10").code == 0
    return northwind


def test_products_add_and_list_show_the_versions_with_their_lifecycle(cli, five):
    result = cli("products", "list", "--json")
    assert (result.code, result.err) == (0, "")
    (product,) = json.loads(result.out)["products"]
    assert product["name"] == "K2 Five"
    assert [(v["number"], v["ga"], v["sunset"], v["end_of_life"]) for v in product["versions"]] == [
        ("5.4", "2024-01-10", "2026-01-10", "2027-01-10")]
    assert "K2 Five 5.4" in cli("products", "versions", "list", "k2 five").out


def test_catalog_changes_from_the_command_line_are_audited_as_no_person(cli, five):
    assert cli("products", "rename", "K2 Five", "K2 Five Cloud").code == 0
    assert cli("products", "versions", "rename", "K2 Five Cloud", "5.4", "5.4 LTS").code == 0
    assert _audit() == [
        ("product_added", "OpsPortal", "K2 Five"),
        ("version_added", "OpsPortal",
         "K2 Five 5.4: GA 10 Jan 2024, sunset 10 Jan 2026, end of life 10 Jan 2027"),
        ("product_renamed", "OpsPortal", "K2 Five → K2 Five Cloud"),
        ("version_renamed", "OpsPortal", "K2 Five Cloud 5.4 → K2 Five Cloud 5.4 LTS"),
    ]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("versions", "add", "K2 Five", "5.5", "--ga", "10/01/2026"), 2, "not a date (YYYY-MM-DD)"),
    (("versions", "add", "K2 Five", "5.5"), 2, "--ga"),
    (("versions", "add", "K2 Five", "5.5", "--ga", "2026-01-10", "--eol", "2025-01-10"), 1,
     "must be after general availability"),
    (("versions", "add", "K2 Nine", "5.5", "--ga", "2026-01-10"), 1, "Unknown product 'K2 Nine'"),
    (("versions", "add", "K2 Five", "5.4", "--ga", "2026-01-10"), 1, "already has a version 5.4"),
    (("versions", "rename", "K2 Five", "9.9", "10.0"), 1, "has no version '9.9'"),
    (("add", "k2 five"), 1, "already a product named"),
    (("rename", "K2 Five", " "), 1, "Give the product's name"),
    (("delete", "K2 Five"), 1, "Delete its versions first"),
])
def test_bad_catalog_input_exits_non_zero_with_one_line_and_writes_nothing(cli, five, args, code, message):
    counts = row_counts()
    result = cli("products", *args)
    assert (result.code, result.out) == (code, "")
    assert message in result.err and result.err.count("\n") == 1
    assert row_counts() == counts


def test_a_version_and_product_nothing_refers_to_are_deleted(cli, five):
    assert cli("products", "versions", "delete", "K2 Five", "5.4").out == "Deleted K2 Five 5.4.\n"
    assert cli("products", "delete", "K2 Five").code == 0
    assert cli("products", "list").out == "No products.\n"


def test_licences_grant_list_and_revoke_for_an_organization(cli, five):
    result = cli("licences", "grant", "--org", "northwind holdings", "--product", "K2 Five", "--version", "5.4",
                 "--region", "emea", "--quantity", "3", "--bought", "2025-02-01", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["quantity"] == 3
    listed = json.loads(cli("licences", "list", "--org", "Northwind Holdings", "--json").out)["licences"]
    assert [(lic["version"], lic["region"], lic["quantity"]) for lic in listed] == [("K2 Five 5.4", "EMEA", 3)]
    revoked = cli("licences", "revoke", "--org", "Northwind Holdings", "--product", "K2 Five", "--region", "EMEA")
    assert revoked.out == "Removed 3 licence(s) of K2 Five 5.4 in EMEA.\n"
    assert [a for a in _audit() if a[0].startswith("licence")] == [
        ("licence_granted", "OpsPortal", "3 × K2 Five 5.4 in EMEA for Northwind Holdings"),
        ("licence_revoked", "OpsPortal", "3 × K2 Five 5.4 in EMEA for Northwind Holdings")]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("grant", "--org", "Nobody Ltd", "--product", "K2 Five", "--version", "5.4", "--region", "EMEA"), 1,
     "Unknown organization 'Nobody Ltd'"),
    (("grant", "--org", "Northwind Holdings", "--product", "K2 Five", "--version", "5.4", "--region", "MARS"), 1,
     "Choose the region"),
    (("grant", "--org", "Northwind Holdings", "--product", "K2 Five", "--version", "5.4", "--region", "EMEA",
      "--quantity", "0"), 2, "--quantity is a whole number of at least 1"),
    (("grant", "--org", "Northwind Holdings", "--product", "K2 Five", "--version", "5.4", "--region", "EMEA",
      "--bought", "2999-01-01"), 1, "cannot be in the future"),
    (("grant", "--org", "Northwind Holdings", "--product", "K2 Five", "--version", "5.4", "--region", "EMEA",
      "--bought", "yesterday"), 2, "not a date"),
    (("revoke", "--org", "Northwind Holdings", "--product", "K2 Five", "--region", "EMEA"), 1,
     "No licence of K2 Five in EMEA"),
])
def test_bad_licence_input_exits_non_zero_with_one_line_and_writes_nothing(cli, five, args, code, message):
    counts = row_counts()
    result = cli("licences", *args)
    assert (result.code, result.out) == (code, "")
    assert message in result.err and result.err.count("\n") == 1
    assert row_counts() == counts


def test_revoking_when_several_licences_match_asks_for_the_id(cli, five):
    for quantity in ("1", "2"):
        cli("licences", "grant", "--org", "Northwind Holdings", "--product", "K2 Five", "--version", "5.4",
            "--region", "EMEA", "--quantity", quantity, "--bought", "2025-02-01")
    result = cli("licences", "revoke", "--org", "Northwind Holdings", "--product", "K2 Five", "--region", "EMEA")
    assert result.code == 1 and "choose one with --id" in result.err
    ids = [lic["id"] for lic in json.loads(cli("licences", "list", "--org", "Northwind Holdings", "--json").out)[
        "licences"]]
    assert cli("licences", "revoke", "--org", "Northwind Holdings", "--product", "K2 Five", "--region", "EMEA",
               "--id", str(ids[1])).code == 0
