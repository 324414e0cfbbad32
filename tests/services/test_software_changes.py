"""Staff correct the software catalog and licences on a real database (SQLite and PostgreSQL): renames and deletions
follow ``domain.software``'s rules, Extended-Terms naming a renamed version keep covering it, every catalog and
licence change is in the audit log with who and what (in the same transaction), customers and agents are refused,
and open pages hear of each change on the change feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import AuditEvent, ChangeEvent, PlanEntitlement
from opsportal.services import (
    audit,
    changes,
    plan_catalog,
    software,
    software_catalog,
    software_edits,
    software_licences,
)
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.services import test_software
from tests.services.test_software import AT, OLD, TODAY, _bytes
from tests.utils.db import row_counts
from tests.utils.plans import GOLD_START

shop = test_software.shop  # the same catalog, licences and Gold


def _events(action: str | None = None) -> list[AuditEvent]:
    with unit_of_work(write=False) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.exec(query).all())


def _topics() -> set[str]:
    with unit_of_work(write=False) as session:
        return set(session.exec(select(ChangeEvent.topic)).all())


def _version(version_id: int):
    return next(v for p in software_catalog.catalog(OPERATOR) for v in p.versions if v.id == version_id)


def _grant_extended_term(org_id: int, versions: list[str]):
    return plan_catalog.grant_entitlement(OPERATOR, org_id, "extended_term", GOLD_START, versions=versions, at=AT)


def _extended_versions(org_id: int) -> list[str]:
    with unit_of_work(write=False) as session:
        return [v for e in session.exec(select(PlanEntitlement).where(
            PlanEntitlement.organization_id == org_id, PlanEntitlement.offering_code == "extended_term")).all()
            for v in e.versions]


# ------------------------------------------------------------------------------------------- authorization


def test_customers_and_agents_cannot_rename_or_delete_catalog_entries_or_licences(shop):
    for who in ("holdings_owner", "holdings_member", "agent"):
        actor = shop.actor(who)
        with pytest.raises(PermissionDenied):
            software_edits.rename_product(actor, shop.v54.product_id, "K2 Cloud")
        with pytest.raises(PermissionDenied):
            software_edits.rename_version(actor, shop.v54.id, "5.4a")
        with pytest.raises(PermissionDenied):
            software_edits.delete_version(actor, shop.v54.id)
        with pytest.raises(PermissionDenied):
            software_edits.edit_release(actor, shop.hotfix.id, kind="hotfix", title="HF", released_on=TODAY)
        with pytest.raises(PermissionDenied):
            software_edits.delete_release(actor, shop.hotfix.id)
        with pytest.raises(PermissionDenied):
            software_edits.delete_product(actor, shop.v54.product_id)
    lic = software_licences.org_licences(OPERATOR, shop.holdings.id)[0]
    with pytest.raises(PermissionDenied):
        software_licences.remove_licence(shop.actor("holdings_owner"), lic.id)
    assert _events("product_renamed") == [] and _events("licence_revoked") == []


def test_a_customer_s_audit_log_shows_its_own_licence_changes_but_not_another_organization_s(shop):
    rows = audit.list_events(shop.actor("holdings_owner"), shop.holdings.id).items
    assert {r.action for r in rows} == {"licence_granted"}
    assert all("Northwind Holdings" in r.target for r in rows)
    with pytest.raises((PermissionDenied, NotFound)):
        audit.list_events(shop.actor("holdings_owner"), shop.retail.id)


# ------------------------------------------------------------------------------------------- renames


def test_renaming_a_product_is_audited_and_a_taken_name_is_refused(shop):
    software_edits.rename_product(shop.actor("staff_admin"), shop.v54.product_id, "K2 Five Cloud", at=AT)
    with pytest.raises(Conflict, match="already a product named"):
        software_edits.rename_product(OPERATOR, shop.v54.product_id, "k2 BLACKPEARL")
    with pytest.raises(InvalidInput, match="Give the product's name"):
        software_edits.rename_product(OPERATOR, shop.v54.product_id, "  ")
    (event,) = _events("product_renamed")
    assert event.target == "K2 Five → K2 Five Cloud"
    assert event.organization_id is None and event.actor_user_id == shop.users["staff_admin"].id
    assert _version(shop.v54.id).label == "K2 Five Cloud 5.4"


def test_renaming_a_version_an_extended_term_names_carries_the_name_so_its_downloads_stay_open(shop):
    _grant_extended_term(shop.holdings.id, ["K2 blackpearl 4.7"])
    assert _bytes(shop.actor("holdings_member"), shop.old_hotfix.id) == OLD
    view = software_edits.rename_version(OPERATOR, shop.v47.id, "4.7 LTS", at=AT)
    assert view.label == "K2 blackpearl 4.7 LTS"
    assert _extended_versions(shop.holdings.id) == ["K2 blackpearl 4.7 LTS"]
    assert _bytes(shop.actor("holdings_member"), shop.old_hotfix.id) == OLD
    (event,) = _events("version_renamed")
    assert event.target == "K2 blackpearl 4.7 → K2 blackpearl 4.7 LTS (1 Extended-Term(s) follow)"
    assert event.actor_name == "OpsPortal"


def test_renaming_a_product_carries_full_version_names_in_extended_terms(shop):
    _grant_extended_term(shop.holdings.id, ["K2 blackpearl 4.7"])
    software_edits.rename_product(OPERATOR, shop.v47.product_id, "K2 Legacy", at=AT)
    assert _extended_versions(shop.holdings.id) == ["K2 Legacy 4.7"]
    assert _bytes(shop.actor("holdings_member"), shop.old_hotfix.id) == OLD


def test_a_version_number_taken_in_its_product_is_refused_and_nothing_changes(shop):
    software_catalog.add_version(OPERATOR, shop.v54.product_id, "5.5", ga=TODAY, at=AT)
    before = _events()
    with pytest.raises(Conflict, match="already has a version 5.5"):
        software_edits.rename_version(OPERATOR, shop.v54.id, " 5.5 ")
    with pytest.raises(NotFound):
        software_edits.rename_version(OPERATOR, 999_999, "6.0")
    assert _events() == before


# ------------------------------------------------------------------------------------------- deletions


def test_a_version_with_licences_releases_or_an_extended_term_is_not_deleted_and_says_why(shop):
    _grant_extended_term(shop.holdings.id, ["4.7"])
    counts = row_counts()
    with pytest.raises(Conflict) as refused:
        software_edits.delete_version(OPERATOR, shop.v47.id, at=AT)
    message = str(refused.value)
    assert "2 licences run it" in message and "1 release file" in message
    assert "Extended-Term of Northwind Holdings names it" in message
    assert row_counts() == counts


def test_a_version_nothing_refers_to_is_deleted_and_audited(shop):
    spare = software_catalog.add_version(OPERATOR, shop.v54.product_id, "5.9", ga=TODAY, at=AT)
    assert software_edits.delete_version(OPERATOR, spare.id, at=AT) == "K2 Five 5.9"
    assert [e.target for e in _events("version_deleted")] == ["K2 Five 5.9"]
    assert all(v.number != "5.9" for p in software_catalog.catalog(OPERATOR) for v in p.versions)


def test_a_product_with_versions_is_not_deleted_and_an_empty_one_is(shop):
    with pytest.raises(Conflict, match="Delete its versions first"):
        software_edits.delete_product(OPERATOR, shop.v54.product_id)
    empty = software_catalog.create_product(OPERATOR, "K2 Spare")
    assert software_edits.delete_product(OPERATOR, empty.id) == "K2 Spare"
    assert [e.target for e in _events("product_deleted")] == ["K2 Spare"]


def test_a_downloaded_release_is_not_deleted_and_one_nobody_downloaded_is_with_its_file(shop):
    _bytes(shop.actor("holdings_member"), shop.hotfix.id)
    with pytest.raises(Conflict, match="downloaded 1 time"):
        software_edits.delete_release(OPERATOR, shop.hotfix.id)
    blobs = row_counts()["stored_blob"]
    assert software_edits.delete_release(OPERATOR, shop.old_hotfix.id) == "Hotfix 4.7.0.31"
    assert row_counts()["stored_blob"] == blobs - 1
    assert [e.target for e in _events("release_deleted")] == ["Hotfix 4.7.0.31 (Hotfix 4.7.0.31.zip) of "
                                                              "K2 blackpearl 4.7"]


def test_editing_a_release_checks_its_day_against_general_availability_and_is_audited(shop):
    with pytest.raises(InvalidInput, match="before its version's general availability"):
        software_edits.edit_release(OPERATOR, shop.hotfix.id, kind="hotfix", title="Hotfix 5.4.1.2",
                                    released_on=TODAY - timedelta(days=5000))
    with pytest.raises(InvalidInput, match="major release, an update or a hotfix"):
        software_edits.edit_release(OPERATOR, shop.hotfix.id, kind="patch", title="x", released_on=TODAY)
    view = software_edits.edit_release(OPERATOR, shop.hotfix.id, kind="update", title="Update 5.4.2",
                                       notes="Now an update.", released_on=TODAY, at=AT)
    assert (view.kind.value, view.title, view.notes) == ("update", "Update 5.4.2", "Now an update.")
    assert [e.target for e in _events("release_edited")] == ["Update 5.4.2 (Hotfix 5.4.1.2.zip) of K2 Five 5.4"]


# ------------------------------------------------------------------------------------------- audit and feed


def test_every_catalog_and_licence_change_is_in_the_audit_log(shop):
    lic = software_licences.org_licences(OPERATOR, shop.holdings.id)[0]
    software_licences.remove_licence(shop.actor("staff_admin"), lic.id)
    actions = [e.action for e in _events()]
    for action in ("product_added", "version_added", "release_added", "licence_granted", "licence_revoked"):
        assert action in actions
    (revoked,) = _events("licence_revoked")
    assert revoked.organization_id == shop.holdings.id and "2 × K2 Five 5.4 in EMEA" in revoked.target


def test_a_failed_catalog_change_leaves_no_audit_event(shop, monkeypatch):
    from opsportal.services import software_store

    def broken(*_args, **_kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr(software_store, "carry_names", broken)
    with pytest.raises(RuntimeError):
        software_edits.rename_version(OPERATOR, shop.v54.id, "5.4a", at=AT)
    assert _events("version_renamed") == []
    assert _version(shop.v54.id).number == "5.4"


def test_catalog_changes_and_licence_changes_are_announced_on_the_change_feed(shop):
    assert changes.CATALOG_TOPIC in _topics()
    assert changes.org_topic(shop.retail.id) in _topics()  # its licences
    assert set(software.change_topics(shop.actor("retail_member"), shop.retail.id)) == {
        changes.CATALOG_TOPIC, changes.org_topic(shop.retail.id)}
    with pytest.raises((PermissionDenied, NotFound)):
        software.change_topics(shop.actor("retail_member"), shop.holdings.id)
