"""The counter: its screen, the clerk's intents and keys, closing time, and its dialogs."""

from clerkdesk.screens.counter.screen import BACKOFF, CounterScreen

__all__ = ["BACKOFF", "CounterScreen"]
