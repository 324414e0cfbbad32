"""The K2 Community as the forum service tests find it: Northwind Holdings and Fabrikam hold Gold, staff opened
the categories named, and a helper asks a question."""

from __future__ import annotations

from datetime import timedelta

from opsportal import clock
from opsportal.services import forum_moderation, forum_posts
from tests.utils.plans import set_up_gold

BODY = "Our K2 server stops answering after the nightly backup. What should we check first?"


def gold_community(world, categories: dict[str, str]):
    """Gives two organizations Gold from 30 days ago and opens ``categories`` (name: description) as staff."""
    now = clock.now()
    set_up_gold(world.holdings, start=(now - timedelta(days=30)).date(), at=now)
    set_up_gold(world.fabrikam, start=(now - timedelta(days=30)).date(), at=now)
    staff = world.actor("agent")
    for name, description in categories.items():
        forum_moderation.create_category(staff, name=name, description=description)
    return world


def ask(world, who="holdings_member", title="Server stops after backup", body=BODY) -> int:
    return forum_posts.ask(world.actor(who), category="servers", title=title, body=body)
