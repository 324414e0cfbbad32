"""The demo's running service levels: the staff queue, sorted by time to breach, shows breached, near-breach and
on-track tasks (both databases), and loading it again adds nothing."""

from __future__ import annotations

from opsportal.services import agent_work, sla
from opsportal.services.demo import load_demo
from opsportal.services.demo_plans import load_demo_plans
from opsportal.services.operator import OPERATOR
from opsportal.services.sla_demo import DEMO_TICKETS, load_demo_sla
from tests.utils.ledger import NOW


def test_the_demo_queue_sorted_by_time_to_breach_shows_breached_then_near_then_on_track_tasks(database_url):
    load_demo(OPERATOR, now=NOW)
    load_demo_plans(OPERATOR, at=NOW)

    assert load_demo_sla(OPERATOR, now=NOW) == len(DEMO_TICKETS)
    assert load_demo_sla(OPERATOR, now=NOW) == 0

    page = agent_work.queue(OPERATOR, sort="breach")
    marks = sla.queue_marks(OPERATOR, [r.id for r in page.items], at=NOW)
    shown = [(r.title, marks[r.id].tone, marks[r.id].text) for r in page.items]
    assert shown[:5] == [
        ("Warehouse scanners cannot sync orders", "breached", "Resolution overdue by 1 h"),
        ("Card payments failing at the Leeds store", "breached", "Response overdue by 35 min"),
        ("Patient check-in kiosks frozen", "near", "Response due in 10 min"),
        ("VPN disconnects every few minutes for the finance team", "near", "Response due in 40 min"),
        ("New starter laptop for Priya", "due", "Resolution due in 48 h"),
    ]
