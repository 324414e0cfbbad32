"""Owners racing to request services never spend the same service credits twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from opsportal.services import credit_views, services_catalog
from opsportal.services.errors import Conflict
from tests.utils.ledger import NOW, cache_mismatches, grant, ledger_counts

THREADS = 6


def test_concurrent_requests_hold_no_more_than_the_organization_has_and_refused_ones_leave_no_task(world):
    grant(world.holdings, 35)
    service = services_catalog.save_service(
        world.actor("staff_admin"), service_id=None, name="Architecture review", category="Cloud",
        description="A senior engineer reviews your architecture.", price_credits=10)
    barrier = threading.Barrier(THREADS)
    made, refused, unexpected = [], [], []
    lock = threading.Lock()

    def ask(who: str) -> None:
        barrier.wait()
        try:
            result = services_catalog.request_service(world.actor(who), service_id=service.id, at=NOW)
        except Conflict as exc:
            with lock:
                refused.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                unexpected.append(exc)
        else:
            with lock:
                made.append(result)

    threads = [threading.Thread(target=ask, args=(("holdings_owner", "holdings_admin")[i % 2],))
               for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not unexpected
    assert len(made) == 3 and len(refused) == THREADS - 3
    in_play = credit_views.in_play_by_category(world.actor("agent"), world.holdings.id, product="service_credits")
    assert [(c.category, c.quantity, c.tickets) for c in in_play] == [("Cloud", 30, 3)]
    assert services_catalog.requests_of(world.actor("agent"), world.holdings.id).total == 3
    tickets = services_catalog.requests_in_play(world.actor("agent")).items
    assert sorted(r.ticket_id for r in tickets) == sorted(r.ticket_id for r in made)
    assert ledger_counts()["ticket"] == 3  # a refused request opened no task
    assert cache_mismatches() == []
