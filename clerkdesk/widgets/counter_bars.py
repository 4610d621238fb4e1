"""The thin lines around the counter: my counts today, the status line, the offline banner, the
footer."""

from __future__ import annotations

import time
from datetime import timedelta

from rich.cells import cell_len
from textual.reactive import reactive
from textual.widgets import Footer, Static

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _
from clerkdesk.state.display import duration, pad
from clerkdesk.widgets.textual_compat import forget_detached_watchers

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class MyCounts(Static):
    _shown = False

    DEFAULT_CSS = """
    MyCounts {
        width: 24;  /* "Average   12 min 30 s" */
        border: round $border-blurred;
        border-title-color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        self.show(None)

    def show(self, counts: w.DayCounts | None) -> None:
        """Always three lines ("—" until the first read), so updates need no screen layout."""
        self.border_title = _("My day")
        average = counts.average_service_seconds if counts else None
        rows = (
            (_("Served"), str(counts.served) if counts else "—"),
            (_("No-shows"), str(counts.no_shows) if counts else "—"),
            (_("Average"), "—" if average is None else duration(timedelta(seconds=average))),
        )
        width = max(cell_len(label) for label, _value in rows)
        text = "\n".join(f"{pad(label, width)}  {value}" for label, value in rows)
        self.update(text, layout=not self._shown)
        self._shown = True


class StatusLine(Static):
    """Window, clerk, paused, the clock and a spinner while a call to the hall is in flight."""

    busy: reactive[bool] = reactive(False, repaint=False)  # drawn by the spinner's frames
    frame: reactive[int] = reactive(0)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._parts: list[str] = []
        self._clock = ""

    def on_mount(self) -> None:
        self._spin = self.set_interval(0.1, self._next_frame, pause=True)

    def _next_frame(self) -> None:
        self.frame = (self.frame + 1) % len(SPINNER)

    def watch_busy(self, busy: bool) -> None:
        if busy:
            # The first frame in 0.1 s: a call answered sooner (most are) draws no spinner, and
            # no frame competes with the hall for the CPU while it answers.
            self._spin.reset()
        else:
            self._spin.pause()
            self._redraw()

    def watch_frame(self) -> None:
        self._redraw()

    def show(self, parts: list[str], clock: str) -> None:
        self._parts, self._clock = parts, clock
        self._redraw()

    def _redraw(self) -> None:
        spinner = SPINNER[self.frame] if self.busy else " "
        self.update(" · ".join(self._parts) + f"  {spinner} {self._clock}", layout=False)


class OfflineBanner(Static):
    """Shown while the hall cannot be reached: the reason and when the next try comes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.display = False
        self._reason = ""
        self._retry_at: float | None = None

    def show(self, reason: str, retry_at: float | None) -> None:
        self._reason, self._retry_at = reason, retry_at
        self.display = True
        self.tick()

    def hide(self) -> None:
        self.display = False

    def tick(self) -> None:
        if not self.display:
            return
        text = _("Offline: {reason}. Actions are off until the hall answers.").format(
            reason=self._reason
        )
        if self._retry_at is not None:
            seconds = max(0, round(self._retry_at - time.monotonic()))
            text += " " + _("Next try in {n} s.").format(n=seconds)
        self.update(text)


class CounterFooter(Footer):
    """Textual's footer, which the counter rebuilds whenever what it offers changes (a few times
    per ticket), without the keys it threw away. Each key it composes binds `compact` to the
    footer (`data_bind`), and Textual forgets such a binding only when `compact` itself changes
    (Textualize/textual#6666): every rebuild kept a dozen dead keys alive (650 after 50 calls),
    all day long, and every full garbage collection had to scan them."""

    async def recompose(self) -> None:
        await super().recompose()
        forget_detached_watchers(self)
