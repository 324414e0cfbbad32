"""The Reflex app: pages register themselves on import."""

import reflex as rx

from opsportal import failover
from opsportal.api.routes import create_api
from opsportal.lifespan import change_feed, guard_event_loop, notification_scheduler, ticket_mail_sender
from opsportal.pages import (  # noqa: F401  # noqa: F401 - the services catalog
    account,
    activity,
    buy_hours,
    checkout_success,
    credits,
    dashboard,
    downloads,
    incident_request,
    invitation,
    invoice,
    invoices,
    kb,
    kb_article,
    login,
    new_ticket,
    notifications,
    organization,
    password_reset,
    plans,
    products,
    rollup,
    rollup_task,
    services,
    staff,
    staff_billing,
    staff_disputes,
    staff_hour_blocks,
    staff_invoice,
    staff_mail,
    staff_mail_received,
    staff_notices,
    staff_plans,
    staff_products,
    staff_queue,
    staff_ratings,
    staff_services,
    staff_sla,
    staff_support,
    staff_task,
    support,
    task,
    tasks,
    terms,
    timesheet,
    unsubscribe,
    updates,
)
from opsportal.state.live import LivePages
from opsportal.state.reaper import sweep_closed_tabs
from opsportal.state.session_guard import SessionBinding

failover.install()  # a dead host's clients keep their state when they reconnect elsewhere
# Pages are British English (domain.formats.LOCALE): browsers that follow the page language write dates the same way.
app = rx.App(api_transformer=create_api, html_lang="en-GB")
# A client token copied without the session cookie gets nothing: the state is reset before hydrate sends it.
app.add_middleware(SessionBinding(), index=0)
# Pages that refresh themselves stop following the change feed as soon as their tab leaves them.
app.add_middleware(LivePages())
# The notification jobs run in the backend while it serves (off with OPSPORTAL_SCHEDULER=off).
app.register_lifespan_task(notification_scheduler)
app.register_lifespan_task(guard_event_loop)
app.register_lifespan_task(change_feed)
app.register_lifespan_task(sweep_closed_tabs)
app.register_lifespan_task(ticket_mail_sender)
# The K2 Community forum: its pages, and its thread e-mails' sender.
from opsportal.lifespan import community_mail_sender  # noqa: E402
from opsportal.pages import community, community_ask, community_category, community_question  # noqa: E402, F401

app.register_lifespan_task(community_mail_sender)
