"""`clerkdesk board`: the hall board (叫号屏) on the TV over the counters.

The hall comes from `--server`, `CLERKDESK_SERVER` or the config file, as for every command (the
board needs a hall service: it does not start the embedded one). It signs in as a board account
(`--staff`, else `[board] staff_no` in the config file, else `board1`), with the password from
`CLERKDESK_BOARD_PASSWORD`, a file (`--password-file`, or `[board] password_file`), or typed in
the terminal. The password stays in memory only: a board's sign-in ends at local midnight like
everyone's, and the TV signs in again by itself. Nothing is stored.

`[board]` in config.toml:

    [board]
    staff_no = "board1"
    voice = "zh+en"            # zh | en | zh+en | en+zh | off
    password_file = "/etc/clerkdesk/board-password"
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from clerkdesk import config
from clerkdesk.i18n import _, set_language
from clerkdesk.voice import VOICE_CHOICES as VOICES

ENV_PASSWORD = "CLERKDESK_BOARD_PASSWORD"
DEFAULT_STAFF = "board1"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    board = sub.add_parser("board", help=_("the hall board: the TV over the counters"))
    board.add_argument(
        "--staff", metavar="STAFF_NO", help=_("the board's sign-in (default: board1)")
    )
    board.add_argument(
        "--password-file",
        type=Path,
        help=_("read the board's password from this file (else CLERKDESK_BOARD_PASSWORD)"),
    )
    board.add_argument(
        "--voice", choices=VOICES, help=_("the languages each call is spoken in (default: zh)")
    )
    board.add_argument("--lang", default=argparse.SUPPRESS, help=_("zh or en"))


def board_settings(settings: config.Settings) -> dict[str, object]:
    section = settings.extra.get("board")
    return dict(section) if isinstance(section, dict) else {}


def _password(args: argparse.Namespace, section: dict[str, object], staff_no: str) -> str | None:
    if os.environ.get(ENV_PASSWORD):
        return os.environ[ENV_PASSWORD]
    file = args.password_file or section.get("password_file")
    if file:
        try:
            return Path(str(file)).read_text(encoding="utf-8").strip()
        except OSError as exc:
            print(_("Cannot read the password file: {error}").format(error=exc), file=sys.stderr)
            return None
    if not sys.stdin.isatty():
        print(
            _(
                "No password for the board: set CLERKDESK_BOARD_PASSWORD or --password-file, "
                "or run the board in a terminal to type it."
            ),
            file=sys.stderr,
        )
        return None
    try:
        return getpass.getpass(_("Password of {staff_no}: ").format(staff_no=staff_no))
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return None


async def first_sign_in(url: str, staff_no: str, password: str) -> tuple[str | None, str | None]:
    """(token, None) once signed in; (None, None) when the hall does not answer yet (the board
    starts anyway and keeps trying); (None, why) when the hall refused."""
    from clerkdesk.api.client import HallClient
    from clerkdesk.api.errors import HallClientError, HallUnreachable
    from clerkdesk.state.refusals import explain

    async with HallClient(url) as client:
        try:
            return (await client.login(staff_no, password)).token, None
        except HallUnreachable:
            return None, None
        except HallClientError as exc:
            return None, explain(exc)


def start_board(
    url: str, staff_no: str, password: str, voice: str, label: str | None = None
) -> int:
    """Sign in (saying why not, in the terminal), then the board full screen."""
    from clerkdesk.launch import starting

    token, refused = asyncio.run(first_sign_in(url, staff_no, password))
    if refused is not None:
        print(refused, file=sys.stderr)
        return 1
    with starting():
        from clerkdesk.api.client import HallClient
        from clerkdesk.board import run_board
        from clerkdesk.state.board import BoardLink, BoardSignIn

        link = BoardLink(HallClient(url, token), BoardSignIn(staff_no, password), label or url)
    return run_board(link, voice)


def run(args: argparse.Namespace) -> int:
    try:
        settings = config.load_settings()
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    set_language(getattr(args, "lang", None) or settings.language)
    section = board_settings(settings)
    url = config.resolve_server(args.server, settings)
    if url is None:
        print(
            _(
                "The board shows a hall service: give its address with --server URL (or "
                'CLERKDESK_SERVER, or server = "…" in the config file).'
            ),
            file=sys.stderr,
        )
        return 2
    staff_no = args.staff or str(section.get("staff_no") or DEFAULT_STAFF)
    voice = args.voice or str(section.get("voice") or "zh")
    if voice not in VOICES:
        print(
            _("[board] voice = {voice}: use one of {choices}.").format(
                voice=voice, choices=", ".join(VOICES)
            ),
            file=sys.stderr,
        )
        return 2
    password = _password(args, section, staff_no)
    if password is None:
        return 2
    return start_board(url.rstrip("/"), staff_no, password, voice)
