"""The time sign-off tests' scene: Northwind Retail's agent logged time in March 2025 on two tasks (``NOW`` is
2025-03-10, so March's sign-off is open until 2025-04-05; the default of five days after the month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import PortalNotification, TimeReview
from tests.utils.ledger import NOW
from tests.utils.tasks import log, new_task, set_rate

MARCH = "2025-03"
IN_WINDOW = NOW + timedelta(hours=2)  # 2025-03-10, inside March's sign-off
AFTER_DEADLINE = NOW + timedelta(days=27)  # 2025-04-06: March's deadline (2025-04-05) has passed


def mar(day: int) -> date:
    return date(2025, 3, day)


@dataclass
class Scene:
    world: object
    printer: int
    vpn: int
    entries: dict[str, int]


@pytest.fixture
def march(world) -> Scene:
    set_rate(world.retail, 12_000)  # USD 120.00 an hour
    printer = new_task(world.retail, subject="Printer offline")
    vpn = new_task(world.retail, subject="VPN drops")
    entries = {
        "printer_1": log(printer, 60, work_date=mar(3), note="Replaced the fuser").id,
        "printer_2": log(printer, 30, work_date=mar(4), note="Driver update").id,
        "vpn": log(vpn, 45, work_date=mar(5), note="Tunnel renegotiation").id,
    }
    return Scene(world, printer, vpn, entries)


def review_of(entry_id: int) -> TimeReview | None:
    with unit_of_work(write=False) as session:
        return session.exec(select(TimeReview).where(TimeReview.time_entry_id == entry_id)).first()


def notifications_of(user_id: int) -> list[PortalNotification]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(PortalNotification).where(PortalNotification.user_id == user_id)
                                 .order_by(PortalNotification.id)).all())
