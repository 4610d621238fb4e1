"""The floor of the HTTP stack: a trivial FastAPI app served exactly as `clerkdesk serve` serves
the hall (clerkdesk.hall.server.serve_forever: the same socket, uvicorn settings, garbage
collector and switch interval), for bench/server_load.py's `--floor` phase.

    python bench/floor_app.py PORT

`GET /ping` is a plain `def` endpoint (FastAPI runs it on its thread pool, as the hall's sync
routes), `GET /aping` an `async def` one (on the event loop): what any request of the hall
costs at least on this machine, with no token, no database and no JSON model of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fastapi import FastAPI  # noqa: E402

from clerkdesk.hall.server import serve_forever  # noqa: E402


def floor_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/aping")
    async def aping() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    return app


if __name__ == "__main__":
    serve_forever(floor_app(), "127.0.0.1", int(sys.argv[1]))
