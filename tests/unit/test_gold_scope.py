"""Gold Support is held per organization: what a subsidiary without Gold is told when an ancestor holds it."""

from __future__ import annotations

from opsportal.domain.gold_scope import gold_elsewhere


def test_nothing_special_is_said_when_no_ancestor_holds_gold():
    assert gold_elsewhere(organization="Northwind Retail", holder=None, may_buy=True) is None


def test_a_subsidiary_is_told_gold_is_per_organization_and_the_parents_does_not_cover_it():
    notice = gold_elsewhere(organization="Northwind Retail", holder="Northwind Holdings", may_buy=True)
    assert notice.message.startswith("Gold Support is held per organization: Northwind Holdings holds Gold Support, "
                                     "but it covers Northwind Holdings only, not Northwind Retail.")


def test_someone_who_may_buy_plans_is_pointed_to_the_support_plan_page():
    notice = gold_elsewhere(organization="Northwind Retail", holder="Northwind Holdings", may_buy=True)
    assert notice.buy_link and "on the Support plan page" in notice.message


def test_a_member_is_told_to_ask_their_owners_by_name_and_gets_no_buy_link():
    notice = gold_elsewhere(organization="Northwind Retail", holder="Northwind Holdings", may_buy=False,
                            owners=("Rita Alvarez", "Tom Berg"))
    assert not notice.buy_link
    assert notice.message.endswith("Ask your organization's owner (Rita Alvarez or Tom Berg) to buy Gold Support "
                                   "for Northwind Retail.")


def test_a_member_of_an_organization_without_named_owners_is_told_to_ask_its_owner():
    notice = gold_elsewhere(organization="Retail", holder="Holdings", may_buy=False, owners=("",))
    assert notice.message.endswith("Ask your organization's owner to buy Gold Support for Retail.")
