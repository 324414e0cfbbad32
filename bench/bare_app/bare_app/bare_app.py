"""A counter: the smallest Reflex page with an on_load and one event, for bench/ui_load.py."""

import reflex as rx

from bare_app.state import CounterState


def index() -> rx.Component:
    return rx.vstack(
        rx.heading("Count: ", CounterState.count),
        rx.button("Increment", on_click=CounterState.increment),
    )


app = rx.App()
app.add_page(index, route="/", on_load=CounterState.load)
