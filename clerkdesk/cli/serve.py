"""`clerkdesk serve`: the hall service in the foreground, on SQLite or PostgreSQL."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from clerkdesk import config
from clerkdesk.i18n import _

if TYPE_CHECKING:
    from clerkdesk.hall.app import HallSettings

METRICS_TOKEN_ENV = "CLERKDESK_METRICS_TOKEN"


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
    serve.add_argument(
        "--metrics-token",
        default=os.environ.get(METRICS_TOKEN_ENV) or None,
        help=f"a bearer token that may read GET /metrics besides admins (default: "
        f"{METRICS_TOKEN_ENV}; the environment keeps it out of the process list)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes on the one port (PostgreSQL only; SQLite runs one)",
    )
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="json: one JSON object per line (time, level, message, route, status, ms), a "
        "line per request included, for log collectors",
    )


def run(args: argparse.Namespace) -> int:
    from clerkdesk.cli import trouble
    from clerkdesk.hall.app import HallSettings, create_app
    from clerkdesk.hall.server import PortUnavailable, listen, serve_forever
    from clerkdesk.hall.store.opening import DatabaseProblem, open_database, safe_name

    url = args.db or config.default_database_url()
    json_logs = args.log_format == "json"
    if args.workers < 1:
        print(_("--workers needs a number of 1 or more."), file=sys.stderr)
        return 2
    if args.workers > 1 and not url.startswith("postgresql"):
        print(
            _(
                "--workers {n} needs PostgreSQL: SQLite lets one process write at a time, so "
                "run the hall as one process (leave out --workers) or move it to PostgreSQL."
            ).format(n=args.workers),
            file=sys.stderr,
        )
        return 2
    settings = HallSettings(
        database_url=url,
        api_docs=args.api_docs,
        metrics_token=args.metrics_token,
        log_requests=json_logs,
    )
    log_config = None
    if json_logs:
        import logging.config

        from clerkdesk.hall.ops.metrics import json_log_config

        log_config = json_log_config()
        logging.config.dictConfig(log_config)  # the start's own lines too
    if args.workers > 1:
        return _serve_processes(args, settings, log_config)
    try:
        app = open_database(url, lambda: create_app(settings), waiting=trouble.say_waiting)
    except DatabaseProblem as problem:
        return trouble.say_database_problem(problem)
    try:
        listening = listen(args.host, args.port)
    except PortUnavailable as problem:
        return trouble.say_port_unavailable(problem)
    started = _("ClerkDesk hall service on {url}  (database: {database})").format(
        url=f"http://{args.host}:{args.port}", database=safe_name(url)
    )
    if json_logs:  # standard output stays empty: every line is the log's
        import logging

        logging.getLogger("clerkdesk.serve").info(started)
    else:
        print(started, flush=True)
    serve_forever(app, args.host, args.port, listening, log_config=log_config)
    return 0


def _serve_processes(
    args: argparse.Namespace, settings: HallSettings, log_config: dict[str, Any] | None
) -> int:
    """`--workers N` on PostgreSQL: the database migrated once, then N processes on one port
    (uvicorn's supervisor; the kernel spreads the connections), each with its own app and event
    hub; the hubs wake each other through NOTIFY."""
    from clerkdesk.cli import trouble
    from clerkdesk.hall.server import PortUnavailable, listen, serve_processes
    from clerkdesk.hall.store import migrate
    from clerkdesk.hall.store.engine import make_engine
    from clerkdesk.hall.store.opening import DatabaseProblem, open_database, safe_name

    def migrated() -> None:
        engine = make_engine(settings.database_url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()

    try:
        open_database(settings.database_url, migrated, waiting=trouble.say_waiting)
    except DatabaseProblem as problem:
        return trouble.say_database_problem(problem)
    try:  # said in one line here, rather than by each process
        listen(args.host, args.port).close()
    except PortUnavailable as problem:
        return trouble.say_port_unavailable(problem)
    print(
        _("ClerkDesk hall service on {url}  (database: {database})").format(
            url=f"http://{args.host}:{args.port}", database=safe_name(settings.database_url)
        )
        + f"  x{args.workers}",
        flush=True,
    )
    serve_processes(
        settings.database_url,
        args.host,
        args.port,
        args.workers,
        api_docs=settings.api_docs,
        metrics_token=settings.metrics_token,
        log_config=log_config,
    )
    return 0
