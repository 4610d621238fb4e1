"""The hall board's voice: each call spoken (Chinese, and English on request) through espeak-ng
after a short chime, one announcement after the other, never two at once.

An announcement is rendered to one WAV file (the chime, then each language's words, with a short
silence between) and handed to a player that returns when the sound has ended; the next starts
only then. The player is injected: the board plays through `aplay` or `paplay`, tests through a
player that keeps a timeline. Where there is no audio device (no player, or no sound card in
/proc/asound/cards) the voice is off and the board says so once; without espeak-ng the chime
alone sounds.

No Textual here; subprocesses through asyncio.
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import struct
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from clerkdesk.i18n import N_

VOICE_CHOICES = ("zh", "en", "zh+en", "en+zh", "off")
"""What `clerkdesk board --voice` (and `[board] voice`) takes: the languages each call is spoken
in, in order, or none."""
RATE = 22050  # espeak-ng's own rate: the chime is made at the rate of the words it joins
ESPEAK_VOICES = {"zh": "cmn", "en": "en"}
GAP_S = 0.25  # silence between the chime and the words, and between two languages


class VoiceFailed(RuntimeError):
    """A sound could not be made or played (espeak-ng or the player exited with an error)."""


# --- the chime -------------------------------------------------------------------------------


def chime_frames(rate: int = RATE) -> bytes:
    """Two soft tones, high then low ("ding-dong"), 0.7 s, 16-bit mono at `rate`."""
    frames = bytearray()
    for freq, seconds in ((880.0, 0.3), (659.25, 0.4)):
        count = int(rate * seconds)
        for n in range(count):
            t = n / rate
            envelope = min(1.0, n / (0.01 * rate)) * math.exp(-4.0 * t / seconds)
            sample = 0.45 * envelope * math.sin(2 * math.pi * freq * t)
            frames += struct.pack("<h", int(sample * 32767))
    return bytes(frames)


def write_wav(path: Path, frames: bytes, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


def write_chime(path: Path, rate: int = RATE) -> Path:
    return write_wav(path, chime_frames(rate), rate)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as sound:
        return sound.getnframes() / sound.getframerate()


def _read_mono16(path: Path) -> tuple[bytes, int]:
    with wave.open(str(path), "rb") as sound:
        if sound.getnchannels() != 1 or sound.getsampwidth() != 2:
            raise VoiceFailed(f"{path.name}: not 16-bit mono")
        return sound.readframes(sound.getnframes()), sound.getframerate()


def join_speech(words: list[Path], out: Path) -> Path:
    """The chime, then each file of words, a short silence between, as one WAV file."""
    parts = [_read_mono16(p) for p in words]
    rate = parts[0][1] if parts else RATE
    if any(r != rate for _f, r in parts):
        raise VoiceFailed("the words were rendered at different rates")
    silence = b"\0\0" * int(rate * GAP_S)
    frames = chime_frames(rate)
    for part, _rate in parts:
        frames += silence + part
    return write_wav(out, frames, rate)


# --- making words and playing sounds ---------------------------------------------------------


class Synth(Protocol):
    async def render(self, text: str, lang: str, out: Path) -> None: ...


class Player(Protocol):
    async def play(self, wav: Path) -> None:
        """Returns once the sound has ended."""
        ...


async def _run(argv: list[str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await proc.communicate()
    if proc.returncode != 0:
        said = err.decode(errors="replace").strip().splitlines()
        raise VoiceFailed(f"{Path(argv[0]).name}: {said[-1] if said else proc.returncode}")


@dataclass(frozen=True)
class EspeakSynth:
    binary: str
    words_per_minute: int = 150

    async def render(self, text: str, lang: str, out: Path) -> None:
        voice = ESPEAK_VOICES.get(lang, "en")
        await _run(
            [self.binary, "-v", voice, "-s", str(self.words_per_minute), "-w", str(out), text]
        )


@dataclass(frozen=True)
class CommandPlayer:
    """`aplay -q FILE` or `paplay FILE`: returns when the sound has been played."""

    argv: tuple[str, ...]

    async def play(self, wav: Path) -> None:
        await _run([*self.argv, str(wav)])


# --- which sound there is ----------------------------------------------------------------------


@dataclass(frozen=True)
class AudioCheck:
    """The player to use, or why there is no sound (an N_-marked reason)."""

    player: CommandPlayer | None
    reason: str | None = None


def has_sound_card(cards: Path) -> bool:
    try:
        text = cards.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(text.strip()) and "no soundcards" not in text


def find_audio(
    which: Callable[[str], str | None] = shutil.which,
    cards: Path = Path("/proc/asound/cards"),
    environ: Mapping[str, str] = os.environ,
) -> AudioCheck:
    """aplay with a sound card; paplay with a card or a PulseAudio server named in
    PULSE_SERVER (a sound server elsewhere); else none, and why."""
    aplay, paplay = which("aplay"), which("paplay")
    if aplay is None and paplay is None:
        return AudioCheck(None, N_("no audio player (aplay or paplay) is installed"))
    if paplay is not None and environ.get("PULSE_SERVER"):
        return AudioCheck(CommandPlayer((paplay,)))
    if not has_sound_card(cards):
        return AudioCheck(None, N_("this computer has no sound card"))
    if aplay is not None:
        return AudioCheck(CommandPlayer((aplay, "-q")))
    assert paplay is not None
    return AudioCheck(CommandPlayer((paplay,)))


def find_synth(which: Callable[[str], str | None] = shutil.which) -> EspeakSynth | None:
    binary = which("espeak-ng")
    return EspeakSynth(binary) if binary else None


# --- the queue of announcements ----------------------------------------------------------------


@dataclass(frozen=True)
class Announcement:
    """What is said for one call: `key` names it (the call's event id), `phrases` are
    (language, words) in the order spoken."""

    key: str
    phrases: tuple[tuple[str, str], ...]


@dataclass
class Voice:
    """Announcements in the order given, each rendered to a WAV file in `folder` and played to
    its end before the next begins. `synth` None: the chime alone. A failure (espeak-ng or the
    player) is told once through `failed` and ends the voice: the board goes on in silence."""

    player: Player
    folder: Path
    synth: Synth | None = None
    failed: Callable[[str], None] = lambda reason: None
    rendered: list[Path] = field(default_factory=list)
    speaking: bool = False
    off: bool = False
    keep_files: bool = False  # tests look at what was said; the board removes each file played
    _queue: asyncio.Queue[Announcement] | None = None
    _count: int = 0

    def _q(self) -> asyncio.Queue[Announcement]:
        if self._queue is None:
            self._queue = asyncio.Queue()
        return self._queue

    @property
    def busy(self) -> bool:
        """Speaking, or something waits to be said."""
        return not self.off and (self.speaking or not self._q().empty())

    def say(self, announcement: Announcement) -> None:
        if not self.off:
            self._q().put_nowait(announcement)

    async def render(self, announcement: Announcement) -> Path:
        self._count += 1
        stem = f"{self._count:04d}-{announcement.key}"
        words: list[Path] = []
        if self.synth is not None:
            for n, (lang, text) in enumerate(announcement.phrases):
                part = self.folder / f"{stem}.{n}.{lang}.wav"
                await self.synth.render(text, lang, part)
                words.append(part)
        out = join_speech(words, self.folder / f"{stem}.wav")
        for part in words:
            part.unlink(missing_ok=True)
        self.rendered.append(out)
        return out

    async def run(self) -> None:
        """Say what is queued, one after the other, until cancelled or off."""
        queue = self._q()
        while not self.off:
            announcement = await queue.get()
            self.speaking = True
            try:
                sound = await self.render(announcement)
                await self.player.play(sound)
                if not self.keep_files:
                    sound.unlink(missing_ok=True)
            except (VoiceFailed, OSError) as exc:
                self.off = True
                self.failed(str(exc))
            finally:
                self.speaking = False


class Speaker(Protocol):
    """What the board needs of a voice: `Voice`, or `Silence`."""

    @property
    def busy(self) -> bool: ...

    def say(self, announcement: Announcement) -> None: ...

    async def run(self) -> None: ...


class Silence:
    """No voice: nothing is said, nothing is ever busy."""

    busy = False
    off = True

    def say(self, announcement: Announcement) -> None:
        return None

    async def run(self) -> None:
        return None
