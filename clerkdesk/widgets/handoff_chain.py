"""Under the ticket at the counter: that it was handed over (转办), and from where. Compact (one
line: the last move, the time in the hall, the key to the whole chain) or the whole chain when
the terminal is tall enough. Hidden for a ticket nobody handed over."""

from __future__ import annotations

from textual.widgets import Static

FULL_HEIGHT = 36  # terminal rows from which the whole chain shows on the card


class HandOffChain(Static):
    DEFAULT_CSS = """
    HandOffChain {
        display: none;
        padding: 0 1;
        color: $warning;
    }
    HandOffChain.compact {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    _shown: tuple[tuple[str, ...], bool] = ((), False)

    def show(self, lines: list[str], compact: bool = False) -> None:
        """Data flows down: the counter hands over the lines, nothing is fetched here. Compact:
        each line stays one line, cut with an ellipsis."""
        shown = (tuple(lines), compact)
        if shown == self._shown:  # every second the counter ticks: draw only what changed
            return
        self._shown = shown
        self.display = bool(lines)
        self.set_class(compact, "compact")
        self.update("\n".join(lines))

    def full(self) -> bool:
        """Room for the whole chain (120x40), or one line (80x24)?"""
        return self.app.size.height >= FULL_HEIGHT
