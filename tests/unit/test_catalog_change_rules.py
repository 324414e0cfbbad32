"""Changing the software catalog: what a deletion would break (refused, saying what refers to it) and what a rename
carries into the Extended-Terms that name a version, so their cover stays on the same version."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.software import (
    carried_version_names,
    names_version,
    product_delete_problem,
    release_delete_problem,
    version_delete_problem,
)


def test_a_product_nothing_refers_to_may_be_deleted():
    assert product_delete_problem("K2 Cloud", versions=0, licences=0) is None


def test_a_product_with_versions_or_licences_may_not_be_deleted_and_the_refusal_says_what_is_left():
    problem = product_delete_problem("K2 Five", versions=2, licences=1)
    assert problem.startswith("K2 Five cannot be deleted: it has 1 licence and 2 versions")
    assert "Delete its versions first" in problem


def test_a_version_nothing_refers_to_may_be_deleted():
    assert version_delete_problem("K2 Five 5.5", licences=0, releases=0, extended_terms=[]) is None


def test_a_version_that_licences_run_or_with_release_files_may_not_be_deleted():
    assert "2 licences run it" in version_delete_problem("K2 Five 5.4", licences=2, releases=0, extended_terms=[])
    assert "it has 1 release file" in version_delete_problem("K2 Five 5.4", licences=0, releases=1,
                                                             extended_terms=[])


def test_a_version_an_extended_term_names_may_not_be_deleted_and_the_organizations_are_named_once():
    problem = version_delete_problem("K2 blackpearl 4.7", licences=0, releases=0,
                                     extended_terms=["Northwind", "Fabrikam", "Northwind"])
    assert "an Extended-Term of Fabrikam and Northwind names it" in problem
    assert "set its end-of-life day instead" in problem


def test_a_release_nobody_downloaded_may_be_deleted_but_a_downloaded_one_stays_in_the_log():
    assert release_delete_problem("Hotfix 5.4.1.2", downloads=0) is None
    assert "downloaded 3 times" in release_delete_problem("Hotfix 5.4.1.2", downloads=3)


def _carry(names, *, number="5.4a", product="K2 Five", elsewhere=False):
    return carried_version_names(names, old_product="K2 Five", old_number="5.4", new_product=product,
                                 new_number=number, number_elsewhere=elsewhere)


def test_a_renamed_version_s_full_name_in_an_extended_term_becomes_its_new_name():
    assert _carry(["K2 Five 5.4", "K2 blackpearl 4.7"]) == ("K2 Five 5.4a", "K2 blackpearl 4.7")


def test_a_bare_number_becomes_the_new_full_name_when_no_other_product_has_that_number():
    assert _carry(["5.4"]) == ("K2 Five 5.4a",)


def test_a_bare_number_also_stays_when_another_product_has_a_version_of_that_number():
    assert _carry(["5.4"], elsewhere=True) == ("K2 Five 5.4a", "5.4")


def test_renaming_the_product_keeps_bare_numbers_and_carries_full_names():
    assert _carry(["5.4", "k2 five 5.4"], number="5.4", product="K2 Cloud") == ("5.4", "K2 Cloud 5.4")


def test_a_carried_name_already_named_is_named_once():
    assert _carry(["K2 Five 5.4", "K2 Five 5.4a"]) == ("K2 Five 5.4a",)


numbers = st.sampled_from(["5.4", "5.4a", "4.7", "6.0", "5.5"])
products = st.sampled_from(["K2 Five", "K2 Cloud", "K2 blackpearl"])
names = st.lists(st.one_of(numbers, st.builds(lambda p, n: f"{p} {n}", products, numbers)), max_size=5)


@given(names=names, new_number=numbers, new_product=st.sampled_from(["K2 Five", "K2 Cloud"]),
       elsewhere=st.booleans())
def test_a_version_an_extended_term_covered_is_still_covered_under_its_new_name(names, new_number, new_product,
                                                                                 elsewhere):
    carried = carried_version_names(names, old_product="K2 Five", old_number="5.4", new_product=new_product,
                                    new_number=new_number, number_elsewhere=elsewhere)
    if names_version(names, "K2 Five", "5.4"):
        assert names_version(carried, new_product, new_number)
    assert len({n.casefold() for n in carried}) == len(carried)


@given(names=names, new_number=numbers, elsewhere=st.booleans())
def test_a_version_of_another_product_keeps_its_cover_when_the_number_is_known_to_be_shared(names, new_number,
                                                                                            elsewhere):
    carried = carried_version_names(names, old_product="K2 Five", old_number="5.4", new_product="K2 Five",
                                    new_number=new_number, number_elsewhere=True)
    assert names_version(carried, "K2 blackpearl", "5.4") == names_version(names, "K2 blackpearl", "5.4")
