"""The hall board app (叫号屏): one full-screen Textual screen for the TV over the counters,
signed in with a board account (it sees ticket numbers, services, windows and states, nobody's
name or notes), with its voice when the computer has sound.

`run_board` is what `clerkdesk board` and `clerkdesk demo --board` start: the hall's address, the
board's sign-in, the language shown, the languages spoken.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from clerkdesk.clock import Clock, FollowedClock
from clerkdesk.i18n import _
from clerkdesk.screens.board.screen import BACKOFF, BoardScreen
from clerkdesk.state.board import BoardLink
from clerkdesk.theming import pick_theme, register_themes
from clerkdesk.voice import AudioCheck, Silence, Speaker, Synth, Voice, find_audio, find_synth
from clerkdesk.widgets.line_breaks import use_cjk_line_breaks

BOARD_THEME = "clerkdesk-dark"  # a TV across the hall: light letters on a dark ground


class HallBoardApp(App[None]):
    TITLE = "ClerkDesk board"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        link: BoardLink,
        *,
        voice: Speaker | None = None,
        voice_notice: str = "",
        langs: tuple[str, ...] = ("zh",),
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        backoff: tuple[float, ...] = BACKOFF,
        min_show_s: float | None = None,
        theme: str = BOARD_THEME,
    ) -> None:
        super().__init__()
        use_cjk_line_breaks()
        register_themes(self)
        self.theme = pick_theme(self, theme)
        self.link = link
        self.board = BoardScreen(
            link,
            voice or Silence(),
            langs=langs,
            clock=clock or FollowedClock(),
            monotonic=monotonic,
            backoff=backoff,
            min_show_s=min_show_s,
            voice_notice=voice_notice,
        )

    def on_mount(self) -> None:
        self.push_screen(self.board)

    async def on_unmount(self) -> None:
        await self.link.client.aclose()


@dataclass(frozen=True)
class VoicePlan:
    """What the board says, through what, and the line it shows once about it ("" when
    all is well)."""

    voice: Speaker
    langs: tuple[str, ...]
    notice: str


def plan_voice(
    choice: str,
    folder: Path,
    audio: AudioCheck | None = None,
    synth: Synth | None = None,
    look_for_synth: bool = True,
) -> VoicePlan:
    """`choice`: one of `voice.VOICE_CHOICES`. The player and espeak-ng are looked for on this
    computer unless given (`look_for_synth` False with no `synth`: none)."""
    langs = tuple(choice.split("+")) if choice != "off" else ()
    if not langs:
        return VoicePlan(Silence(), (), _("Voice off (as configured)."))
    audio = audio or find_audio()
    if audio.player is None:
        reason = _(audio.reason) if audio.reason else ""
        return VoicePlan(Silence(), langs, _("Voice off: {reason}.").format(reason=reason))
    if synth is None and look_for_synth:
        synth = find_synth()
    notice = "" if synth else _("espeak-ng is not installed: each call sounds a chime only.")
    return VoicePlan(Voice(audio.player, folder, synth), langs, notice)


def run_board(
    link: BoardLink, voice: str = "zh", monotonic: Callable[[], float] = time.monotonic
) -> int:
    with tempfile.TemporaryDirectory(prefix="clerkdesk-voice-") as folder:
        plan = plan_voice(voice, Path(folder))
        app = HallBoardApp(
            link, voice=plan.voice, voice_notice=plan.notice, langs=plan.langs, monotonic=monotonic
        )
        app.run()
    return 0
