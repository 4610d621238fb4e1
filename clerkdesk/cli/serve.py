"""`clerkdesk serve`: the hall service in the foreground, on SQLite or PostgreSQL."""

from __future__ import annotations

import argparse

from clerkdesk import config
from clerkdesk.i18n import _


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="run the hall service")
    serve.add_argument("--db", help="database URL (default: SQLite in the user data dir)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument(
        "--api-docs",
        action="store_true",
        help="serve /openapi.json and /docs (they answer without a token)",
    )


def run(args: argparse.Namespace) -> int:
    from clerkdesk.cli import trouble
    from clerkdesk.hall.app import HallSettings, create_app
    from clerkdesk.hall.server import PortUnavailable, listen, serve_forever
    from clerkdesk.hall.store.opening import DatabaseProblem, open_database, safe_name

    url = args.db or config.default_database_url()
    try:
        app = open_database(
            url,
            lambda: create_app(HallSettings(database_url=url, api_docs=args.api_docs)),
            waiting=trouble.say_waiting,
        )
    except DatabaseProblem as problem:
        return trouble.say_database_problem(problem)
    try:
        listening = listen(args.host, args.port)
    except PortUnavailable as problem:
        return trouble.say_port_unavailable(problem)
    print(
        _("ClerkDesk hall service on {url}  (database: {database})").format(
            url=f"http://{args.host}:{args.port}", database=safe_name(url)
        ),
        flush=True,
    )
    serve_forever(app, args.host, args.port, listening)
    return 0
