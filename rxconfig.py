"""Reflex configuration; everything environment-specific comes from opsportal.settings."""

import reflex as rx

from opsportal.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="opsportal",
    db_url=_settings.database_url,
    redis_url=_settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    default_color_mode="light",
    # Exact origins only (Reflex answers CORS with credentials, and socket.io checks the websocket's Origin
    # against this list): OPSPORTAL_ALLOWED_ORIGINS, or in development the public URL's origin.
    cors_allowed_origins=_settings.cors_origins,
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="indigo", gray_color="slate", radius="medium"),
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
