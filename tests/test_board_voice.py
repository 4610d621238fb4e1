"""The hall board's voice: a chime made with the standard library, the calls spoken through
espeak-ng into WAV files, played one after the other on a timeline (never two at once), and
what the board says when there is no sound.

The announcements are rendered by the real espeak-ng (scripts/ensure-espeak.sh installs it for
the test run); the player is a stand-in that keeps the timeline: no sound card needed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import wave
from pathlib import Path

import pytest

from clerkdesk.board import plan_voice
from clerkdesk.i18n import set_language
from clerkdesk.state.board import BoardCall, spoken_words
from clerkdesk.voice import (
    RATE,
    Announcement,
    AudioCheck,
    CommandPlayer,
    EspeakSynth,
    Silence,
    Voice,
    VoiceFailed,
    chime_frames,
    find_audio,
    wav_seconds,
    write_chime,
)
from tests.conftest import local


@pytest.fixture(scope="module")
def espeak() -> EspeakSynth:
    binary = shutil.which("espeak-ng")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must render the announcements, but espeak-ng is not installed")
        pytest.skip("espeak-ng is not installed (bash scripts/ensure-espeak.sh installs it)")
    return EspeakSynth(binary)


class Timeline:
    """A player that keeps a timeline: each sound starts where the timeline stands when it is
    played, and moves it on by the sound's length when it ends. It "plays" for a tenth of
    that length in real time, so that a sound started while another plays (the voice not
    waiting for the one before) starts before that one's end: an overlap the test sees."""

    SCALE = 0.1

    def __init__(self) -> None:
        self.clock = 0.0
        self.played: list[tuple[Path, float, float]] = []

    async def play(self, wav: Path) -> None:
        start = self.clock
        length = wav_seconds(wav)
        await asyncio.sleep(length * self.SCALE)
        self.clock = max(self.clock, start + length)
        self.played.append((wav, start, start + length))


def _call(code: str, window: int, recalls: int = 0) -> BoardCall:
    return BoardCall(0, 0, code, "户籍业务", window, local("2026-12-11 09:12"), recalls)


async def _until(condition: object, what: str, timeout: float = 60.0) -> None:
    async def wait() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(wait(), timeout)
    except TimeoutError:
        raise AssertionError(f"still waiting for {what}") from None


def test_the_chime_is_two_short_tones_made_with_the_standard_library(tmp_path: Path) -> None:
    path = write_chime(tmp_path / "chime.wav")
    with wave.open(str(path), "rb") as sound:
        assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, RATE)
    assert wav_seconds(path) == pytest.approx(0.7, abs=0.01)
    samples = memoryview(chime_frames()).cast("h")
    assert max(samples) > 10000  # audible
    assert abs(samples[-1]) < 2000  # fades out, no click at the end


async def test_a_morning_of_calls_is_spoken_in_order_and_never_two_at_once(
    espeak: EspeakSynth, tmp_path: Path
) -> None:
    """09:12: four windows call within a second, window 4 recalls F001 a minute later; the hall
    speaks Chinese and English."""
    calls = [_call("A023", 1), _call("C007", 8), _call("F001", 4), _call("K012", 12)]
    calls.append(_call("F001", 4, recalls=1))
    timeline = Timeline()
    voice = Voice(timeline, tmp_path, espeak, keep_files=True)
    running = asyncio.create_task(voice.run())
    try:
        for n, call in enumerate(calls):
            langs = ("zh", "en") if n == 2 else ("zh",)
            voice.say(
                Announcement(f"{n}-{call.ticket}", tuple((x, spoken_words(call, x)) for x in langs))
            )
        assert voice.busy
        await _until(lambda: len(timeline.played) == len(calls), "every announcement")
        await _until(lambda: not voice.busy, "the voice to fall silent")
    finally:
        running.cancel()

    # In the order the calls were made, each in a file of its own.
    names = [path.name for path, _start, _end in timeline.played]
    assert names == [
        "0001-0-A023.wav",
        "0002-1-C007.wav",
        "0003-2-F001.wav",
        "0004-3-K012.wav",
        "0005-4-F001.wav",
    ]
    assert voice.rendered == [path for path, _s, _e in timeline.played]
    # Never two at once: each starts when the one before has ended.
    for before, after in zip(timeline.played, timeline.played[1:], strict=False):
        assert after[1] >= before[2]
    # Each begins with the chime, and words follow it.
    chime = chime_frames(RATE)
    lengths = []
    for path, start, end in timeline.played:
        with wave.open(str(path), "rb") as sound:
            assert sound.getframerate() == RATE
            assert sound.readframes(len(chime) // 2) == chime
        lengths.append(end - start)
        assert end - start > 0.7 + 1.0  # the chime, then at least a second of words
    assert lengths[2] > lengths[3]  # F001 in two languages takes longer than K012 in one
    assert not voice.off


async def test_a_player_that_fails_silences_the_voice_and_the_board_is_told_once(
    tmp_path: Path,
) -> None:
    said: list[str] = []

    class NoDevice:
        async def play(self, wav: Path) -> None:
            raise VoiceFailed("aplay: audio open error: No such file or directory")

    voice = Voice(NoDevice(), tmp_path, None, failed=said.append)
    running = asyncio.create_task(voice.run())
    try:
        voice.say(Announcement("1", (("zh", "请 A零零一 号到 1 号窗口"),)))
        voice.say(Announcement("2", (("zh", "请 A零零二 号到 1 号窗口"),)))
        await _until(lambda: voice.off, "the voice to go off")
    finally:
        running.cancel()
    assert said == ["aplay: audio open error: No such file or directory"]
    assert not voice.busy  # the board's display never waits for a silent voice
    voice.say(Announcement("3", ()))  # later calls: nothing queued, nothing said
    assert not voice.busy


async def test_the_real_player_returns_once_the_sound_has_played(tmp_path: Path) -> None:
    """`CommandPlayer` waits for its program to end; a program that fails is a VoiceFailed."""
    done = CommandPlayer(("true",))
    await done.play(write_chime(tmp_path / "chime.wav"))
    with pytest.raises(VoiceFailed):
        await CommandPlayer(("false",)).play(tmp_path / "chime.wav")


def _which(*present: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_which_sound_there_is(tmp_path: Path) -> None:
    card = tmp_path / "cards"
    card.write_text(" 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n")
    none = tmp_path / "none"
    none.write_text("--- no soundcards ---\n")
    missing = tmp_path / "missing"

    assert find_audio(_which(), card, {}).reason == "no audio player (aplay or paplay) is installed"
    assert find_audio(_which("aplay"), none, {}).reason == "this computer has no sound card"
    assert find_audio(_which("aplay"), missing, {}).reason == "this computer has no sound card"
    assert find_audio(_which("aplay", "paplay"), card, {}).player == CommandPlayer(
        ("/usr/bin/aplay", "-q")
    )
    assert find_audio(_which("paplay"), card, {}).player == CommandPlayer(("/usr/bin/paplay",))
    # A sound server elsewhere (PulseAudio over the network): no card here is needed.
    pulse = find_audio(_which("aplay", "paplay"), missing, {"PULSE_SERVER": "tcp:10.0.0.5"})
    assert pulse.player == CommandPlayer(("/usr/bin/paplay",))


@pytest.mark.parametrize(
    ("lang", "no_card", "no_espeak", "off"),
    [
        (
            "zh",
            "语音播报已关闭：本机没有声卡。",
            "未安装 espeak-ng：叫号时只播放提示音。",
            "语音播报已关闭（按配置）。",
        ),
        (
            "en",
            "Voice off: this computer has no sound card.",
            "espeak-ng is not installed: each call sounds a chime only.",
            "Voice off (as configured).",
        ),
    ],
)
def test_the_board_says_once_why_it_is_silent(
    tmp_path: Path, lang: str, no_card: str, no_espeak: str, off: str
) -> None:
    set_language(lang)
    try:
        silent = plan_voice("zh+en", tmp_path, AudioCheck(None, "this computer has no sound card"))
        assert isinstance(silent.voice, Silence) and silent.notice == no_card
        chime_only = plan_voice(
            "zh", tmp_path, AudioCheck(CommandPlayer(("aplay",))), look_for_synth=False
        )
        assert isinstance(chime_only.voice, Voice) and chime_only.notice == no_espeak
        spoken = plan_voice(
            "zh+en", tmp_path, AudioCheck(CommandPlayer(("aplay",))), EspeakSynth("espeak-ng")
        )
        assert (spoken.notice, spoken.langs) == ("", ("zh", "en"))
        assert plan_voice("off", tmp_path).notice == off
    finally:
        set_language("en")
