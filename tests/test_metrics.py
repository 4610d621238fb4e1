"""What an operator watches: GET /metrics in the Prometheus format, and the JSON log.

Friday 2026-12-11, 09:00 in the demo hall. The kiosk issues, 李华 calls and is refused once,
the duty lead opens the event stream; the city's Prometheus reads the metrics with its scrape
token, the admin with her own sign-in, and nobody else learns that the route exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api.events import EventSubscription
from clerkdesk.clock import ManualClock
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Staff
from tests.conftest import RunningHall, signed_in
from tests.load_helpers import ROOT, Follower, free_port

SCRAPE_TOKEN = "prometheus-city-7f3a9c"


@pytest.fixture
def city_hall(
    tmp_path: Path, clock: ManualClock, _seeded_sqlite_file: Path
) -> Iterator[RunningHall]:
    """The demo hall served with a scrape token, as `clerkdesk serve --metrics-token` does."""
    path = tmp_path / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    engine = make_engine(sqlite_url(path))
    try:  # the admin signs in with the demo password too
        with Session(engine) as session, session.begin():
            demo = session.scalars(select(Staff).where(Staff.staff_no == "2001")).one()
            admin = session.scalars(select(Staff).where(Staff.staff_no == "admin")).one()
            admin.password_hash = demo.password_hash
    finally:
        engine.dispose()
    settings = HallSettings(
        sqlite_url(path), clock=clock, poll_interval=0.2, metrics_token=SCRAPE_TOKEN
    )
    server = ServerThread(create_app(settings)).start()
    yield RunningHall(server.url, sqlite_url(path), clock, server)
    server.stop()


def scrape(hall: RunningHall, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(f"{hall.url}/metrics", headers=headers)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def test_the_scraper_and_the_admin_read_the_metrics_and_nobody_else_learns_of_them(
    city_hall: RunningHall,
) -> None:
    li_hua = await signed_in(city_hall, "1001")
    zhang_wei = await signed_in(city_hall, "2001")
    admin = await signed_in(city_hall, "admin")

    for token in (None, "prometheus-guess", li_hua.token, zhang_wei.token, SCRAPE_TOKEN[:-1]):
        refused = scrape(city_hall, token)
        unknown = httpx.get(f"{city_hall.url}/metricz")
        assert refused.status_code == unknown.status_code == 404
        assert refused.json()["error"]["code"] == unknown.json()["error"]["code"] == "http_404"

    for token in (SCRAPE_TOKEN, admin.token):
        read = scrape(city_hall, token)
        assert read.status_code == 200
        assert read.headers["content-type"].startswith("text/plain; version=")
        assert "clerkdesk_http_requests_total" in read.text
    for client in (li_hua, zhang_wei, admin):
        await client.aclose()


async def test_requests_writes_refusals_streams_and_the_pool_are_counted_by_route(
    city_hall: RunningHall,
) -> None:
    kiosk = await signed_in(city_hall, "kiosk1")
    li_hua = await signed_in(city_hall, "1001")
    zhang_wei = await signed_in(city_hall, "2001")
    await li_hua.sign_in(1)
    first = await kiosk.issue("bdc-transfer")
    second = await kiosk.issue("bdc-transfer")
    await kiosk.ticket(first.id)
    await kiosk.ticket(second.id)
    with pytest.raises(errors.NotFound):
        await kiosk.ticket(99_999)  # no such ticket: refused by its code
    with pytest.raises(errors.Forbidden) as refused:
        await li_hua.issue("bdc-transfer")  # a clerk does not issue
    follower = await Follower(EventSubscription(zhang_wei)).start()

    during = samples(scrape(city_hall, SCRAPE_TOKEN).text)
    await follower.close()
    await zhang_wei.aclose()

    reads = value(
        during,
        "clerkdesk_http_requests_total",
        method="GET",
        route="/tickets/{ticket_id}",
        status="200",
    )
    assert reads == 2  # both GETs under the route's template, not one series per ticket
    assert not any("/tickets/1" in str(labels) for _name, labels in during)
    assert value(during, "clerkdesk_writes_total", route="/tickets") == 2
    assert value(during, "clerkdesk_refusals_total", code="ticket_not_found", status="404") == 1
    code = refused.value.code
    assert value(during, "clerkdesk_refusals_total", code=code, status="403") == 1
    latency = value(
        during, "clerkdesk_http_request_duration_seconds_count", method="POST", route="/tickets"
    )
    assert latency == 3  # the two issued and the refused one
    assert value(during, "clerkdesk_event_streams_open") == 1
    assert value(during, "clerkdesk_db_up") == 1
    assert value(during, "clerkdesk_db_pool_size") > 0
    assert ("clerkdesk_db_pool_connections", frozenset({("state", "in_use")})) in during
    assert ("clerkdesk_event_lag_events", frozenset()) in during

    after = samples(scrape(city_hall, SCRAPE_TOKEN).text)
    assert value(after, "clerkdesk_event_streams_open") == 0  # 张伟's stream has ended
    for client in (kiosk, li_hua):
        await client.aclose()


def test_clerkdesk_serve_logs_one_json_object_per_line_with_each_request(
    tmp_path: Path, _seeded_sqlite_file: Path
) -> None:
    """`clerkdesk serve --log-format json`, the scrape token from the environment."""
    path = tmp_path / "hall.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "CLERKDESK_METRICS_TOKEN": SCRAPE_TOKEN}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clerkdesk.cli",
                "serve",
                "--db",
                sqlite_url(path),
                "--port",
                str(port),
                "--log-format",
                "json",
            ],
            stdout=out,
            stderr=out,
            cwd=ROOT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert httpx.get(f"{url}/tickets/7").status_code == 401
        assert scrape_url(url, SCRAPE_TOKEN).status_code == 200
    finally:
        server.terminate()
        server.wait(20)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert all({"time", "level", "message", "route", "status", "ms"} <= set(line) for line in lines)
    requests = {line["route"]: line for line in lines if line["route"] is not None}
    assert requests["/tickets/{ticket_id}"]["status"] == 401
    assert requests["/metrics"]["status"] == 200
    assert isinstance(requests["/metrics"]["ms"], float)
    assert any("hall service on" in line["message"] for line in lines)


def scrape_url(url: str, token: str) -> httpx.Response:
    return httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"})
