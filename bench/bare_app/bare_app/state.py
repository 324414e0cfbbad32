"""The counter's state (its own module, so bench/ui_load.py can import it for the event names)."""

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
