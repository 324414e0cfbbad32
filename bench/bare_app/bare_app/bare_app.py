"""A counter: the smallest signed-out Reflex page with an on_load and one event."""

import reflex as rx


class CounterState(rx.State):
    count: int = 0
    loaded: bool = False

    @rx.event
    def load(self):
        self.loaded = True

    @rx.event
    def increment(self):
        self.count += 1


def index() -> rx.Component:
    return rx.vstack(
        rx.heading("Count: ", CounterState.count),
        rx.button("Increment", on_click=CounterState.increment),
    )


app = rx.App()
app.add_page(index, route="/", on_load=CounterState.load)
