"""Links to the plain HTTP routes (CSV/PDF downloads), which live on the backend's origin.

In production one port serves both; in development and under the test harness the backend
runs on its own port, so the link is built in the browser from Reflex's backend URL.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.constants import Dirs
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData
from reflex_base.vars.base import Var

BACKEND_ORIGIN = Var(
    _js_expr="getBackendURL(env.PING).origin",
    _var_data=VarData(imports={f"$/{Dirs.STATE_PATH}": "getBackendURL",
                               "$/env.json": ImportVar(tag="env", is_default=True)}),
).to(str)


def backend_link(*children, path: Var | str, **props) -> rx.Component:
    # A full page load: when the app and the API share one origin (production), the client-side
    # router would otherwise treat the URL as a page of the app and render a blank route.
    props.setdefault("reload_document", True)
    return rx.link(*children, href=BACKEND_ORIGIN + path, **props)
