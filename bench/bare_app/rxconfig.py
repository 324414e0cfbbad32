"""The bare Reflex app that bench/ui_load.py compares the portal with: same Reflex, same plugins."""

import os

import reflex as rx

config = rx.Config(
    app_name="bare_app",
    # Reflex keeps its own state in memory unless a Redis URL is given (bench/ui_load.py --redis).
    redis_url=os.environ.get("BARE_REDIS_URL") or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="light"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
