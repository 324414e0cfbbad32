"""The task page's service-level box: every standing gets a worded badge (colour only repeats the words)."""

from __future__ import annotations

from opsportal.domain.sla import Standing
from opsportal.services.sla import BEST_EFFORT, SlaLine, SlaView
from opsportal.state.staff_queue import SLA_BADGES
from opsportal.state.task_sla import BADGES, _fields


def test_every_standing_has_a_worded_badge():
    assert set(BADGES) == {s.value for s in Standing}
    assert all(word for word, _color in BADGES.values())


def test_the_box_carries_each_line_with_its_badge_and_the_policy():
    view = SlaView(7, True, "Targets for urgent tickets…", SlaLine("Responded in 1 h 12 min", "met"),
                   SlaLine("Resolution overdue by 2 h", "breached"))
    fields = _fields(view)
    assert (fields["first"], fields["first_badge"], fields["first_color"]) == ("Responded in 1 h 12 min", "Met",
                                                                               "green")
    assert (fields["resolution_badge"], fields["resolution_color"]) == ("Breached", "red")
    assert fields["targets"] == "yes"


def test_a_best_effort_ticket_shows_the_note_and_no_resolution_line():
    fields = _fields(SlaView(7, False, BEST_EFFORT, None, None))
    assert fields == {"policy": BEST_EFFORT, "targets": ""}


def test_the_queue_badges_name_near_breach_and_breach_in_words():
    assert SLA_BADGES == {"breached": ("Breached", "red"), "near": ("Due soon", "amber")}
