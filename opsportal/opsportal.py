"""The Reflex app: pages register themselves on import."""

import reflex as rx

from opsportal.api.routes import create_api
from opsportal.pages import (  # noqa: F401
    account,
    credits,
    dashboard,
    kb,
    kb_article,
    login,
    new_ticket,
    organization,
    staff,
    staff_queue,
    staff_task,
    task,
    tasks,
)

app = rx.App(api_transformer=create_api)
