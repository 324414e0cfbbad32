"""The Reflex app: pages register themselves on import."""

import reflex as rx

from opsportal.api.routes import create_api
from opsportal.pages import account, credits, dashboard, login, organization, staff  # noqa: F401

app = rx.App(api_transformer=create_api)
