"""Starting the workstation from the command line: which hall (flag, environment, config, else
the embedded one), the language, the demo, and `clerkdesk logout`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from keyring.backends.null import Keyring as NullKeyring

from clerkdesk import config
from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import HallClientError, HallUnreachable
from clerkdesk.clock import Clock, SystemClock
from clerkdesk.credentials import TokenStore
from clerkdesk.i18n import _, set_language
from clerkdesk.workstation.session import OffsetClock, Server, Workstation


def _settings() -> config.Settings | None:
    try:
        return config.load_settings()
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return None


def _language(args: argparse.Namespace, settings: config.Settings) -> None:
    set_language(getattr(args, "lang", None) or settings.language)


def run_workstation(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _language(args, settings)
    from clerkdesk.app import ClerkDeskApp, CreateHall

    server_url = config.resolve_server(args.server, settings)
    embedded = None
    create_hall: CreateHall | None = None
    if server_url is None:
        from clerkdesk.embedded import start_embedded

        embedded = start_embedded()
        server = embedded.server
        if embedded.needs_setup():
            create_hall = embedded.create_hall
    else:
        server = Server.remote(server_url)
    ws = Workstation(
        server,
        clock=OffsetClock(SystemClock()),
        tokens=TokenStore(allow_plaintext_file=settings.plaintext_token_file),
        align_clock=embedded is None,
    )
    try:
        ClerkDeskApp(ws, settings=settings, create_hall=create_hall).run()
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def run_demo_workstation(
    server_url: str,
    database_url: str,
    clock: Clock,
    args: argparse.Namespace,
    simulator: Callable[[], Awaitable[None]],
) -> int:
    """The demo: signed in as a demo clerk at a free window, citizens arriving meanwhile."""
    from clerkdesk.app import AutoSignIn, ClerkDeskApp
    from clerkdesk.demo import DEMO_PASSWORD

    settings = _settings() or config.Settings()
    _language(args, settings)
    tokens = TokenStore(backend=NullKeyring())
    tokens.notice = None  # a demo sign-in is meant to last only this run
    ws = Workstation(Server(server_url, _("demo hall"), f"demo:{database_url}"), clock, tokens)
    app = ClerkDeskApp(
        ws,
        settings=settings,
        auto=AutoSignIn(args.staff, DEMO_PASSWORD, ()),
        background=simulator,
        remember=False,
    )
    app.run()
    return 0


async def _end_on_server(url: str, token: str) -> str | None:
    async with HallClient(url, token) as client:
        try:
            await client.logout()
        except HallUnreachable:
            return _("The hall service did not answer; the sign-in ends by itself when it expires.")
        except HallClientError:
            pass  # already ended or expired there
    return None


def logout(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return 2
    _language(args, settings)
    staff_no = settings.staff_no
    if not staff_no:
        print(_("Nobody has signed in on this computer: nothing to do."))
        return 0
    server_url = config.resolve_server(args.server, settings)
    embedded = None
    if server_url is None:
        from clerkdesk.embedded import start_embedded

        embedded = start_embedded()
        identity, url = embedded.server.identity, embedded.server.url
    else:
        identity = url = server_url.rstrip("/")
    try:
        tokens = TokenStore(allow_plaintext_file=settings.plaintext_token_file)
        stored = tokens.load(identity, staff_no)
        problem = asyncio.run(_end_on_server(url, stored.token)) if stored else None
        tokens.delete(identity, staff_no)
    finally:
        if embedded is not None:
            embedded.stop()
    if problem:
        print(problem)
    print(_("Signed out {staff_no}: the stored sign-in is removed.").format(staff_no=staff_no))
    return 0
