"""Burn-rate forecast: at the last 30 days' pace, when do the prepaid hours run out, and is that
before or after they expire?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WINDOW_DAYS = 30
# Beyond this a run-out date means nothing (and a slow enough pace would overflow the calendar).
HORIZON_DAYS = 3653


@dataclass(frozen=True)
class Forecast:
    minutes_per_day: int  # the pace, rounded to the minute
    runs_out_on: date | None  # None: no usage in the window, or the pace empties it only after the horizon
    expires_on: date | None
    message: str


def forecast(available: int, used_last_30_days: int, today: date, expires_on: date | None) -> Forecast:
    pace = (used_last_30_days * 2 + WINDOW_DAYS) // (2 * WINDOW_DAYS) if used_last_30_days > 0 else 0
    if available <= 0:
        return Forecast(pace, today, expires_on, "No prepaid hours left: new work is billed pay-as-you-go.")
    if used_last_30_days <= 0:
        tail = f"; they expire on {expires_on:%d %b %Y}." if expires_on else "."
        return Forecast(0, None, expires_on, "No hours used in the last 30 days" + tail)
    # days = available / (used / 30), in whole days, rounded down: the day the balance empties.
    days = available * WINDOW_DAYS // used_last_30_days
    if days > HORIZON_DAYS:
        if expires_on is not None and expires_on < today + timedelta(days=HORIZON_DAYS):
            return Forecast(pace, None, expires_on,
                            f"At the last 30 days' pace your hours last more than ten years, "
                            f"after they expire on {expires_on:%d %b %Y}: some will go unused.")
        return Forecast(pace, None, expires_on, "At the last 30 days' pace your hours last more than ten years.")
    runs_out = today + timedelta(days=days)
    if expires_on is not None and runs_out > expires_on:
        message = (f"At the last 30 days' pace your hours last until {runs_out:%d %b %Y}, "
                   f"after they expire on {expires_on:%d %b %Y}: some will go unused.")
    elif expires_on is not None:
        message = (f"At the last 30 days' pace your hours run out on {runs_out:%d %b %Y}, "
                   f"before they expire on {expires_on:%d %b %Y}.")
    else:
        message = f"At the last 30 days' pace your hours run out on {runs_out:%d %b %Y}."
    return Forecast(pace, runs_out, expires_on, message)
