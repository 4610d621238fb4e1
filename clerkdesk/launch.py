"""Starting the workstation from the command line: which hall (flag, environment, config, else
the embedded one), the language, the demo, and `clerkdesk logout`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from clerkdesk import config
from clerkdesk.i18n import _, set_language

if TYPE_CHECKING:
    from clerkdesk.clock import Clock

# The workstation's modules (httpx, pydantic models, keyring, Textual, the embedded hall) are
# imported inside the functions below, under `starting()`.


@contextlib.contextmanager
def starting() -> Iterator[None]:
    """While the workstation (and the embedded hall) starts: no garbage collection; then all
    that was built is frozen out of the collector's sight (`gc.freeze`) and collection resumes.

    Starting creates some 200,000 objects the collector tracks that live as long as the
    process (modules, classes, models, routes, styles). It scanned them again and again while
    they were made (about 0.2 s of a 1.8 s start on a 2-core machine), and later a full pass
    over them took 0.1-0.2 s wherever it fell, on a key press as well. Frozen, they are never
    scanned; what the working day creates is collected as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


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
    embedded = None
    try:
        with starting():
            from clerkdesk.app import ClerkDeskApp, CreateHall
            from clerkdesk.clock import FollowedClock, SystemClock
            from clerkdesk.credentials import TokenStore
            from clerkdesk.state.session import Server, Workstation

            server_url = config.resolve_server(args.server, settings)
            create_hall: CreateHall | None = None
            if server_url is None:
                from clerkdesk.embedded import start_embedded
                from clerkdesk.hall.store.opening import DatabaseProblem

                try:
                    embedded = start_embedded()
                except DatabaseProblem as problem:  # its file cannot be used: say why
                    from clerkdesk.cli.trouble import say_database_problem

                    return say_database_problem(problem)
                server = embedded.server
                if embedded.needs_setup():
                    create_hall = embedded.create_hall
            else:
                server = Server.remote(server_url)
            # a hall elsewhere: its clock (a demo's time and speed); the embedded hall: this PC's
            clock: Clock = SystemClock() if embedded is not None else FollowedClock()
            ws = Workstation(
                server,
                clock=clock,
                tokens=TokenStore(allow_plaintext_file=settings.plaintext_token_file),
                align_clock=embedded is None,
            )
            app = ClerkDeskApp(ws, settings=settings, create_hall=create_hall)
        app.run()
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
    with starting():
        from clerkdesk.app import AutoSignIn, ClerkDeskApp
        from clerkdesk.credentials import TokenStore
        from clerkdesk.demo import DEMO_PASSWORD
        from clerkdesk.state.session import Server, Workstation

        settings = _settings() or config.Settings()
        _language(args, settings)
        tokens = TokenStore.memory_only()  # a demo sign-in is meant to last only this run
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
    from clerkdesk.api.client import HallClient
    from clerkdesk.api.errors import HallClientError, HallUnreachable

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
        from clerkdesk.cli.trouble import say_database_problem
        from clerkdesk.embedded import start_embedded
        from clerkdesk.hall.store.opening import DatabaseProblem

        try:
            embedded = start_embedded()
        except DatabaseProblem as unusable:
            return say_database_problem(unusable)
        identity, url = embedded.server.identity, embedded.server.url
    else:
        identity = url = server_url.rstrip("/")
    try:
        from clerkdesk.credentials import TokenStore

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
