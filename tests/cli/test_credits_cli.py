"""`opsportal credits ...`: what the ledger commands print, write, and refuse (SQLite)."""

from __future__ import annotations

import json

import pytest

from tests.utils.db import dump_tables
from tests.utils.ledger import cache_mismatches, lot_balances

AT = "2025-03-10T09:30:00Z"


def only_json_object(out: str) -> dict:
    """The whole of stdout must be one JSON object."""
    payload = json.loads(out)
    assert isinstance(payload, dict)
    return payload


@pytest.fixture
def northwind(cli, sqlite_database_url):
    """Northwind Holdings with two children, Retail and Logistics."""
    assert cli("org", "create", "Northwind Holdings").code == 0
    for child in ("Northwind Retail", "Northwind Logistics"):
        assert cli("org", "create", child, "--parent", "Northwind Holdings").code == 0
    return cli


def ok(cli, *args: str) -> dict:
    result = cli(*args, "--json")
    assert (result.code, result.err) == (0, ""), result.err
    return only_json_object(result.out)


def grant(cli, quantity: int, *extra: str, org: str = "Northwind Holdings", product: str = "service_credits",
          kind: str = "purchased") -> dict:
    return ok(cli, "credits", "grant", org, "--product", product, "--quantity", str(quantity), "--type", kind,
              "--at", AT, *extra)


def refused(cli, *args: str, code: int = 1) -> str:
    """Runs a command that must fail: non-zero exit, nothing on stdout, one line on stderr, nothing written."""
    before = dump_tables()
    result = cli(*args, "--json")
    assert result.code == code, result
    assert result.out == ""
    assert result.err.endswith("\n") and result.err.count("\n") == 1, result.err
    assert dump_tables() == before
    return result.err.rstrip("\n")


def test_grant_prints_one_json_object_with_the_new_lots_id(northwind):
    lot = grant(northwind, 120, "--expires", "2025-06-30", "--shared", kind="complimentary")

    assert isinstance(lot["id"], int)
    assert {k: lot[k] for k in ("holder", "product", "type", "scope", "allocated_to", "expires", "quantity",
                                "remaining", "held", "granted")} == {
        "holder": "Northwind Holdings", "product": "service_credits", "type": "complimentary", "scope": "shared",
        "allocated_to": "All organizations", "expires": "2025-06-30", "quantity": 120, "remaining": 120, "held": 0,
        "granted": "2025-03-10T09:30:00+00:00"}
    assert lot_balances() == {lot["id"]: (120, 0)}


def test_grant_without_shared_keeps_the_lot_for_the_holder_and_without_json_says_so_in_a_sentence(northwind):
    result = northwind("credits", "grant", "Northwind Retail", "--product", "support_hours", "--quantity", "600",
                       "--type", "purchased", "--at", AT)

    assert result.code == 0
    assert result.out == ("Granted lot 1: 600 support_hours to Northwind Retail "
                          "(purchased, allocated to Northwind Retail).\n")


def test_allocate_moves_a_lot_to_one_child_or_to_all_organizations(northwind):
    lot = grant(northwind, 50)

    to_retail = ok(northwind, "credits", "allocate", str(lot["id"]), "--to", "Northwind Retail")
    assert (to_retail["id"], to_retail["scope"], to_retail["allocated_to"]) == (lot["id"], "org", "Northwind Retail")
    assert ok(northwind, "credits", "balance", "Northwind Retail", "--product", "service_credits",
              "--at", AT)["available"] == 50
    assert ok(northwind, "credits", "balance", "Northwind Logistics", "--product", "service_credits",
              "--at", AT)["available"] == 0

    to_all = ok(northwind, "credits", "allocate", str(lot["id"]), "--all")
    assert (to_all["scope"], to_all["allocated_to"]) == ("shared", "All organizations")
    assert ok(northwind, "credits", "balance", "Northwind Logistics", "--product", "service_credits",
              "--at", AT)["available"] == 50


def test_consume_prints_its_draws_in_draw_order_own_credit_before_the_parents(northwind):
    parents = grant(northwind, 100, "--shared", "--expires", "2025-04-01")
    own = grant(northwind, 30)
    own = {**own, **ok(northwind, "credits", "allocate", str(own["id"]), "--to", "Northwind Retail")}

    payload = ok(northwind, "credits", "consume", "Northwind Retail", "--product", "service_credits",
                 "--quantity", "45", "--category", "Infrastructure", "--at", AT)

    assert list(payload) == ["draws"]
    assert [(d["lot_id"], d["holder"], d["quantity"]) for d in payload["draws"]] == [
        (own["id"], "Northwind Holdings", 30), (parents["id"], "Northwind Holdings", 15)]
    assert payload["draws"][0]["reason"].startswith("1st choice: credit allocated to this organization alone")
    assert payload["draws"][1]["reason"].startswith("2nd choice: shared by parent Northwind Holdings")
    assert lot_balances() == {parents["id"]: (85, 0), own["id"]: (0, 0)}
    assert cache_mismatches() == []


def test_balance_prints_available_in_play_lots_and_the_expiry_schedule_at_a_fixed_moment(northwind):
    soon = grant(northwind, 10, "--expires", "2025-03-20")
    later = grant(northwind, 20, "--expires", "2025-05-20", kind="complimentary")
    forever = grant(northwind, 40)
    grant(northwind, 70, "--expires", "2025-03-20", product="support_hours")  # another product

    payload = ok(northwind, "credits", "balance", "Northwind Holdings", "--product", "service_credits", "--at", AT)

    assert (payload["organization"], payload["product"], payload["available"], payload["in_play"]) == (
        "Northwind Holdings", "service_credits", 70, 0)
    assert [{k: lot[k] for k in ("id", "holder", "type", "scope", "expires", "remaining")} for lot in payload["lots"]] \
        == [
        {"id": soon["id"], "holder": "Northwind Holdings", "type": "purchased", "scope": "org",
         "expires": "2025-03-20", "remaining": 10},
        {"id": later["id"], "holder": "Northwind Holdings", "type": "complimentary", "scope": "org",
         "expires": "2025-05-20", "remaining": 20},
        {"id": forever["id"], "holder": "Northwind Holdings", "type": "purchased", "scope": "org",
         "expires": None, "remaining": 40},
    ]
    assert payload["expiry_schedule"] == {"0-30": 10, "31-60": 0, "61-90": 20, "91-120": 0, "later": 0,
                                          "none": 40}
    # The same ledger a day after the first lot's last day: it no longer counts, though nothing ran.
    after = ok(northwind, "credits", "balance", "Northwind Holdings", "--product", "service_credits",
               "--at", "2025-03-21T00:00:00Z")
    assert (after["available"], after["expiry_schedule"]["0-30"]) == (60, 0)


def test_balance_defaults_to_support_hours(northwind):
    grant(northwind, 90, product="support_hours")
    payload = ok(northwind, "credits", "balance", "Northwind Holdings", "--at", AT)
    assert (payload["product"], payload["unit"], payload["available"]) == ("support_hours", "minute", 90)


def test_expire_expires_what_is_due_once_and_reports_zero_when_run_again(northwind):
    due = grant(northwind, 10, "--expires", "2025-03-12")
    grant(northwind, 10, "--expires", "2025-04-12")

    assert ok(northwind, "credits", "expire", "--at", "2025-03-13T00:00:00Z") == {"expired": 10}
    state = dump_tables()
    assert ok(northwind, "credits", "expire", "--at", "2025-03-13T00:00:00Z") == {"expired": 0}
    assert dump_tables() == state
    assert lot_balances()[due["id"]] == (0, 0)


def test_consuming_more_than_available_fails_naming_both_numbers_and_changes_nothing(northwind):
    grant(northwind, 40)
    message = refused(northwind, "credits", "consume", "Northwind Holdings", "--product", "service_credits",
                      "--quantity", "41", "--category", "Infrastructure", "--at", AT)
    assert message == ("opsportal: error: Not enough service credits available for Northwind Holdings: "
                       "requested 41 credits, available 40 credits.")


@pytest.mark.parametrize("command", [
    ["credits", "grant", "Nowhere Inc", "--product", "service_credits", "--quantity", "5", "--type", "purchased",
     "--at", AT],
    ["credits", "consume", "Nowhere Inc", "--product", "service_credits", "--quantity", "5", "--category", "X",
     "--at", AT],
    ["credits", "balance", "Nowhere Inc", "--at", AT],
    ["credits", "allocate", "1", "--to", "Nowhere Inc"],
], ids=["grant", "consume", "balance", "allocate"])
def test_an_unknown_organization_fails_with_one_line_and_changes_nothing(northwind, command):
    grant(northwind, 40)
    assert refused(northwind, *command) == "opsportal: error: Unknown organization 'Nowhere Inc'."


@pytest.mark.parametrize("command", [
    ["credits", "grant", "Northwind Holdings", "--product", "gold_bars", "--quantity", "5", "--type", "purchased"],
    ["credits", "consume", "Northwind Holdings", "--product", "gold_bars", "--quantity", "5", "--category", "X"],
    ["credits", "balance", "Northwind Holdings", "--product", "gold_bars"],
], ids=["grant", "consume", "balance"])
def test_an_unknown_product_fails_with_one_line_and_changes_nothing(northwind, command):
    grant(northwind, 40)
    assert refused(northwind, *command, "--at", AT).startswith("opsportal: error: Unknown product 'gold_bars'")


@pytest.mark.parametrize("quantity", ["0", "-5"])
@pytest.mark.parametrize("action", ["grant", "consume"])
def test_a_zero_or_negative_quantity_fails_with_one_line_and_changes_nothing(northwind, action, quantity):
    grant(northwind, 40)
    extra = ["--type", "purchased"] if action == "grant" else ["--category", "Infrastructure"]
    message = refused(northwind, "credits", action, "Northwind Holdings", "--product", "service_credits",
                      "--quantity", quantity, *extra, "--at", AT)
    assert message == "opsportal: error: Quantity must be a positive whole number."


@pytest.mark.parametrize(("option", "value"), [
    ("--expires", "2025-02-30"), ("--expires", "30/06/2025"), ("--at", "yesterday"), ("--quantity", "ten"),
])
def test_a_malformed_date_or_number_fails_with_a_usage_line_and_changes_nothing(northwind, option, value):
    grant(northwind, 40)
    args = {"--quantity": "5", "--at": AT, "--expires": "2025-06-30"}
    args[option] = value
    message = refused(northwind, "credits", "grant", "Northwind Holdings", "--product", "service_credits",
                      "--type", "purchased", *[x for kv in args.items() for x in kv], code=2)
    assert message.startswith("opsportal credits grant: error: argument " + option)
    assert repr(value) in message


def test_an_expiry_before_the_grant_moment_fails_and_changes_nothing(northwind):
    message = refused(northwind, "credits", "grant", "Northwind Holdings", "--product", "service_credits",
                      "--quantity", "5", "--type", "purchased", "--expires", "2025-03-09", "--at", AT)
    assert message == "opsportal: error: The expiry date must not be in the past."


def test_allocating_kaizen_enterprise_fails_with_a_clear_message_and_changes_nothing(northwind):
    lot = grant(northwind, 10, product="kaizen_enterprise")
    assert (lot["scope"], lot["allocated_to"]) == ("shared", "All organizations")

    message = refused(northwind, "credits", "allocate", str(lot["id"]), "--to", "Northwind Retail")

    assert message == ("opsportal: error: Kaizen Platform Enterprise credits are always shared with all "
                       "organizations and cannot be re-allocated.")


def test_allocating_outside_the_holders_subtree_fails_and_changes_nothing(northwind):
    retail_lot = grant(northwind, 10, org="Northwind Retail")

    for outside in ("Northwind Logistics", "Northwind Holdings"):  # a sibling, the parent
        message = refused(northwind, "credits", "allocate", str(retail_lot["id"]), "--to", outside)
        assert message == ("opsportal: error: A lot can only be allocated to its holder or one of the holder's "
                           "sub-organizations.")


# --- allocating part of a lot (--quantity) -----------------------------------------------------------------------


def test_allocate_with_a_quantity_moves_that_much_into_a_new_lot_and_the_lot_keeps_the_rest(northwind):
    lot = grant(northwind, 200)

    part = ok(northwind, "credits", "allocate", str(lot["id"]), "--to", "Northwind Logistics", "--quantity", "50")

    assert part["id"] != lot["id"]
    assert {k: part[k] for k in ("source_lot_id", "allocated", "quantity", "remaining", "scope", "allocated_to",
                                 "holder", "type")} == {
        "source_lot_id": lot["id"], "allocated": 50, "quantity": 50, "remaining": 50, "scope": "org",
        "allocated_to": "Northwind Logistics", "holder": "Northwind Holdings", "type": "purchased"}
    assert lot_balances() == {lot["id"]: (150, 0), part["id"]: (50, 0)}
    assert cache_mismatches() == []
    assert ok(northwind, "credits", "balance", "Northwind Logistics", "--product", "service_credits",
              "--at", AT)["available"] == 50
    assert ok(northwind, "credits", "balance", "Northwind Holdings", "--product", "service_credits",
              "--at", AT)["available"] == 150


def test_allocate_with_a_quantity_says_in_a_sentence_which_lot_holds_the_part(northwind):
    lot = grant(northwind, 600, product="support_hours")

    result = northwind("credits", "allocate", str(lot["id"]), "--to", "Northwind Retail", "--quantity", "90")

    assert (result.code, result.err) == (0, "")
    assert result.out == (f"1 h 30 min of lot {lot['id']} is now lot {lot['id'] + 1}, allocated to Northwind Retail; "
                          f"lot {lot['id']} keeps the rest.\n")


def test_allocate_with_the_whole_free_quantity_moves_the_lot_itself(northwind):
    lot = grant(northwind, 40)

    moved = ok(northwind, "credits", "allocate", str(lot["id"]), "--to", "Northwind Retail", "--quantity", "40")

    assert (moved["id"], moved["source_lot_id"], moved["allocated_to"]) == (lot["id"], lot["id"], "Northwind Retail")
    assert lot_balances() == {lot["id"]: (40, 0)}


@pytest.mark.parametrize("quantity", ["0", "-5"])
def test_allocate_with_a_zero_or_negative_quantity_fails_with_one_line_and_changes_nothing(northwind, quantity):
    lot = grant(northwind, 40)
    message = refused(northwind, "credits", "allocate", str(lot["id"]), "--to", "Northwind Retail",
                      "--quantity", quantity)
    assert message == "opsportal: error: Quantity must be a positive whole number."


def test_allocate_with_more_than_the_lot_has_free_fails_naming_what_is_free_and_changes_nothing(northwind):
    lot = grant(northwind, 200)
    message = refused(northwind, "credits", "allocate", str(lot["id"]), "--all", "--quantity", "201")
    assert message == f"opsportal: error: Only 200 credits of lot {lot['id']} are free: allocate at most that."


def test_allocate_with_a_quantity_that_is_not_a_number_fails_with_a_usage_line(northwind):
    lot = grant(northwind, 40)
    message = refused(northwind, "credits", "allocate", str(lot["id"]), "--to", "Northwind Retail",
                      "--quantity", "ten", code=2)
    assert message == "opsportal credits allocate: error: argument --quantity: not a whole number: 'ten'"
