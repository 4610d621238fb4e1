"""The hall file's congestion thresholds ([monitor.alert] for every service, a service's own
`alert`) and reserve windows (issue 13)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.setup.hall_file import HallFileError
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Service, ServiceAlertRule, Window
from tests.conftest import local

FILE = """
[hall]
code = "lanzhou-xinqu"
name = "兰州新区政务服务中心"

[[departments]]
code = "bdc"
name = "不动产登记"

[[services]]
code = "transfer"
name = "转移登记"
department = "bdc"
prefix = "A"
alert = { waiting = 8, longest_wait_minutes = 30, clear_percent = 70 }

[[services]]
code = "query"
name = "查询"
department = "bdc"
prefix = "B"

[monitor.alert]
waiting = 15
estimated_wait_minutes = 45

[[windows]]
number = 1
label = "1号窗口"
department = "bdc"
services = ["transfer", "query"]

[[windows]]
number = 20
label = "潮汐窗口 20号"
services = ["query"]
reserve = true
"""


def test_thresholds_and_reserve_windows_come_from_the_hall_file(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "hall.sqlite3"))
    try:
        migrate.upgrade(engine)
        spec = hall_file.parse_hall(tomllib.loads(FILE))
        with Session(engine) as session, session.begin():
            hall_file.import_hall(session, spec, local("2026-12-11 08:00"))
        with Session(engine) as session:
            rules = {
                code: (r.waiting, r.longest_wait_minutes, r.estimated_wait_minutes, r.clear_percent)
                for code, r in session.execute(
                    select(Service.code, ServiceAlertRule).join(
                        ServiceAlertRule, ServiceAlertRule.service_id == Service.id
                    )
                )
            }
            reserve = {n: r for n, r in session.execute(select(Window.number, Window.reserve))}
    finally:
        engine.dispose()
    assert rules == {"transfer": (8, 30, None, 70), "query": (15, None, 45, 80)}
    assert reserve == {1: False, 20: True}


def test_a_threshold_that_means_nothing_is_refused() -> None:
    bad = FILE.replace("clear_percent = 70", "clear_percent = 5")
    with pytest.raises(HallFileError, match="clear_percent"):
        hall_file.parse_hall(tomllib.loads(bad))
