"""A client token is not a credential: the state stored for it belongs to the session it was built for.

Reflex keeps each browser tab's state under a client token (sessionStorage), and a tab's first event after
connecting (hydrate) sends that whole stored state, page data cached by earlier events included, before any
``on_load`` guard runs. Whoever copies a tab's client token into another browser would receive it. So before every
event this middleware compares the session named by the cookie on the socket handshake with the session the
stored state was built for (``AuthState._session_id``, backend-only) and, when the state belongs to a session
the cookie does not name (signed out, signed in as someone else, no cookie at all), resets the whole state tree
before anything is sent.
"""

from __future__ import annotations

from reflex.middleware import Middleware

from opsportal.services import auth as auth_service
from opsportal.state.auth import AuthState, session_token


async def bind_to_session(state) -> bool:
    """Resets ``state``'s tree when it was built for a session the cookie no longer names; True when it did.

    A state built without a session (a new tab, or one that was signed out) holds nobody's data, so it is bound to
    the cookie's session without the reset: resetting every state of the tree is the costly part, and each new
    tab's first event would otherwise pay it for nothing.
    """
    root = state._get_root_state() if hasattr(state, "_get_root_state") else state
    current = auth_service.session_id_of(session_token(root))
    auth = await root.get_state(AuthState)
    if auth._session_id == current:
        return False
    reset = bool(auth._session_id)
    if reset:
        root.reset()  # every loaded state, recursively; the router data stays
        auth = await root.get_state(AuthState)
    auth._session_id = current
    return reset


class SessionBinding(Middleware):
    """Runs ``bind_to_session`` before every event (first among the app's middleware)."""

    async def preprocess(self, app, state, event):
        await bind_to_session(state)
        return None
