"""Products held in the ledger. Two are built in; more (e.g. Kaizen offer types) are data rows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    minute = "minute"
    credit = "credit"


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    unit: Unit
    # False: always shared with all organizations of the holder's tree, never re-allocated.
    allocatable: bool = True
    # The offers (tokens) one credit carries: the "w/ 7 Tokens" offers carry 7; 0 for credits that carry none.
    tokens_per_credit: int = 0
    # Whether a lot's service usage period is shown (Kaizen Platform Jumpstart credits do not show it).
    shows_usage_period: bool = True


SUPPORT_HOURS = Product("support_hours", "Support hours", Unit.minute)
SERVICE_CREDITS = Product("service_credits", "Service credits", Unit.credit)
BUILT_IN_PRODUCTS = (SUPPORT_HOURS, SERVICE_CREDITS)

# The Kaizen Platform credit list (seed 002): the platform credits are shared with all
# organizations when issued; offer credits may be allocated.
KAIZEN_PRODUCTS = (
    Product("kaizen_enterprise", "Kaizen Platform Enterprise", Unit.credit, allocatable=False),
    Product("kaizen_demo", "Kaizen Platform (Demo)", Unit.credit, allocatable=False),
    Product("kaizen_jumpstart", "Kaizen Platform Jumpstart", Unit.credit, allocatable=False,
            shows_usage_period=False),
    Product("network_offer", "Network Offer", Unit.credit),
    Product("network_offer_7_tokens", "Network Offer (w/ 7 Tokens)", Unit.credit, tokens_per_credit=7),
    Product("targeting_offer", "Targeting Offer", Unit.credit),
    Product("targeting_offer_7_tokens", "Targeting Offer (w/ 7 Tokens)", Unit.credit, tokens_per_credit=7),
)
