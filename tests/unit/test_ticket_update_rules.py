from opsportal.domain.ticket_updates import audience, excerpt


def test_the_requester_hears_first_and_followers_follow_in_order():
    assert audience(1, [3, 2], actor_id=9) == [1, 3, 2]


def test_the_one_who_made_the_update_never_hears_of_it():
    assert audience(1, [2, 3], actor_id=2) == [1, 3]
    assert audience(1, [2], actor_id=1) == [2]


def test_a_user_who_is_both_requester_and_follower_hears_once():
    assert audience(1, [1, 2, 2], actor_id=None) == [1, 2]


def test_a_ticket_opened_by_staff_has_only_its_followers_as_audience():
    assert audience(None, [4], actor_id=7) == [4]


def test_an_excerpt_is_one_line_cut_with_an_ellipsis():
    assert excerpt("a\n\nb   c") == "a b c"
    cut = excerpt("word " * 200, limit=20)
    assert len(cut) <= 20 and cut.endswith("…")
