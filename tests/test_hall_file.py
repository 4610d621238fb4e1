"""`clerkdesk admin import HALL.toml`: the example hall loads, a re-import changes nothing, an
update renames, moves and retires, and a bad file is refused with its problem named and nothing
written."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import Role
from clerkdesk.cli import main
from clerkdesk.demo import demo_hall
from clerkdesk.hall.access.principal import Principal, verify_password
from clerkdesk.hall.calendar.store import load_counter_policy
from clerkdesk.hall.handoffs.service import load_handoff_policy
from clerkdesk.hall.rules.counter_policy import CounterPolicy
from clerkdesk.hall.rules.handoffs import HandoffPolicy, Placement
from clerkdesk.hall.setup import first_start
from clerkdesk.hall.setup.hall_file import HallFile, ImportReport, import_hall
from clerkdesk.hall.setup.structure import hall_structure as hall_view
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Department, Service, Staff, Window, WindowService
from clerkdesk.hall.store.models import Hall as HallRow
from tests.conftest import RunningHall, local, signed_in

Hall = dict[str, Any]  # a hall file as TOML data


def example() -> Hall:
    text_ = resources.files("clerkdesk.examples").joinpath("hall.toml").read_text("utf-8")
    return tomllib.loads(text_)


class Admin:
    """Runs `clerkdesk admin --db sqlite:///… import FILE` and reads the database back."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder = folder
        self.db_path = folder / "hall.sqlite3"
        self.url = sqlite_url(self.db_path)
        self._capsys = capsys
        self._files = 0

    def write(self, hall: Hall | str) -> Path:
        self._files += 1
        path = self.folder / f"hall-{self._files}.toml"
        path.write_text(hall if isinstance(hall, str) else tomli_w.dumps(hall), encoding="utf-8")
        return path

    def load(self, hall: Hall | str) -> tuple[int, str, str]:
        code = main(["admin", "--db", self.url, "import", str(self.write(hall))])
        out, err = self._capsys.readouterr()
        return code, out, err

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = create_engine(self.url)
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()

    def snapshot(self, *, events: bool = True) -> dict[str, list[tuple[object, ...]]]:
        engine = create_engine(self.url)
        with engine.connect() as conn:
            tables = [
                t
                for t in inspect(conn).get_table_names()
                if t != "alembic_version" and (events or t != "event")
            ]
            rows = {
                t: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}" ORDER BY 1'))]
                for t in tables
            }
        engine.dispose()
        return rows


@pytest.fixture
def admin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Admin:
    return Admin(tmp_path, capsys)


def services_of(session: Session, number: int) -> list[str]:
    window = session.scalars(select(Window).where(Window.number == number)).one()
    return list(
        session.scalars(
            select(Service.code)
            .join(WindowService, WindowService.service_id == Service.id)
            .where(WindowService.window_id == window.id)
            .order_by(WindowService.position)
        )
    )


# --- loading --------------------------------------------------------------------------------


def test_the_example_hall_loads_and_new_staff_get_a_first_password(admin: Admin) -> None:
    code, out, err = admin.load(example())
    assert (code, err) == (0, "")
    assert "Hall huainan loaded" in out

    with admin.session() as session:
        assert len(session.scalars(select(Department)).all()) == 7
        assert len(session.scalars(select(Service)).all()) == 13
        assert [w.number for w in session.scalars(select(Window).order_by(Window.number))] == list(
            range(1, 10)
        )
        assert services_of(session, 1) == ["bdc-transfer", "bdc-mortgage"]
        assert services_of(session, 8)[0] == "bdc-query"  # 综合受理: many services, in order
        staff = {s.staff_no: s for s in session.scalars(select(Staff))}
    assert set(staff) == {"admin", "kiosk1", "board1"}

    firsts = dict(re.findall(r"first password for (\S+): (\S+)", out))
    assert set(firsts) == {"admin", "kiosk1", "board1"}
    for staff_no, password in firsts.items():
        assert verify_password(staff[staff_no].password_hash, password)
    assert "clerkdesk admin set-password admin" in out  # what to do next


def test_the_policy_section_sets_the_counters_no_show_and_reinstate_rules(admin: Admin) -> None:
    hall = example()
    assert hall["policy"] == {
        "no_show_min_recalls": 1,
        "no_show_min_seconds": 60,
        "reinstate_minutes": 30,
        "handoff_placement": "front",
        "handoff_flag_after": 3,
        "handoff_arrival_minutes": 10,
    }
    hall["policy"] = {"no_show_min_recalls": 2, "no_show_min_seconds": 90}
    assert admin.load(hall)[0] == 0
    with admin.session() as session:
        policy = load_counter_policy(session, session.scalars(select(HallRow.id)).one())
    assert policy == CounterPolicy(2, 90, 30)  # what the file leaves out keeps its default

    hall["policy"] = {"reinstate_minutes": -5}
    code, _, err = admin.load(hall)
    assert code != 0 and "reinstate_minutes" in err

    hall["policy"] = {"handoff_placement": "issue_time", "handoff_flag_after": 5}
    assert admin.load(hall)[0] == 0
    with admin.session() as session:
        handoffs = load_handoff_policy(session, session.scalars(select(HallRow.id)).one())
    assert handoffs == HandoffPolicy(Placement.issue_time, 5, 10)
    hall["policy"] = {"handoff_placement": "back"}
    code, _, err = admin.load(hall)
    assert code != 0 and "handoff_placement" in err


def test_importing_the_same_file_again_changes_nothing(admin: Admin) -> None:
    admin.load(example())
    before = admin.snapshot(events=False)
    code, out, _ = admin.load(example())
    assert code == 0
    assert admin.snapshot(events=False) == before  # passwords included: none re-issued
    assert "created" not in out and "first password" not in out and "deactivated" not in out


def test_an_update_renames_moves_and_retires_what_the_file_no_longer_has(admin: Admin) -> None:
    admin.load(example())
    hall = example()
    services = {s["code"]: s for s in hall["services"]}
    services["hukou"]["name"] = "户籍办理"
    services["bdc-query"]["department"] = "zonghe"
    services["bdc-query"]["estimated_minutes"] = 4
    hall["services"] = [s for s in hall["services"] if s["code"] != "gjj-loan"]
    windows = {w["number"]: w for w in hall["windows"]}
    windows[7]["services"] = ["gjj-withdraw"]
    windows[2]["label"] = "不动产登记 2号窗口（抵押专窗）"
    windows[2]["services"] = ["bdc-mortgage"]
    windows[4]["number"] = 10  # the 户政 counter moved to window 10
    hall["windows"] = [w for w in hall["windows"] if w["number"] != 9]
    hall["staff"] = [s for s in hall["staff"] if s["staff_no"] != "kiosk1"]

    code, out, err = admin.load(hall)
    assert (code, err) == (0, "")
    for line in ("service gjj-loan", "window 9", "window 4", "staff kiosk1"):
        assert f"deactivated {line}" in out
    assert "created     window 10" in out

    with admin.session() as session:
        by_code = {s.code: s for s in session.scalars(select(Service))}
        zonghe = session.scalars(select(Department).where(Department.code == "zonghe")).one()
        assert by_code["hukou"].name == "户籍办理"
        assert (by_code["bdc-query"].department_id, by_code["bdc-query"].estimated_minutes) == (
            zonghe.id,
            4,
        )
        assert not by_code["gjj-loan"].active
        windows_now = {w.number: w for w in session.scalars(select(Window))}
        assert not windows_now[9].active and not windows_now[4].active
        assert windows_now[10].active and services_of(session, 10) == ["id-card", "hukou"]
        assert windows_now[2].label == "不动产登记 2号窗口（抵押专窗）"
        assert services_of(session, 2) == ["bdc-mortgage"]
        assert services_of(session, 7) == ["gjj-withdraw"]
        assert not session.scalars(select(Staff).where(Staff.staff_no == "kiosk1")).one().active

    # Put back, they come back: the same rows, active again.
    code, _, _ = admin.load(example())
    with admin.session() as session:
        assert session.scalars(select(Service).where(Service.code == "gjj-loan")).one().active
        assert session.scalars(select(Window).where(Window.number == 9)).one().active


def test_two_services_may_swap_prefixes_in_one_import(admin: Admin) -> None:
    admin.load(example())
    hall = example()
    services = {s["code"]: s for s in hall["services"]}
    services["bdc-transfer"]["prefix"], services["bdc-mortgage"]["prefix"] = "B", "A"
    code, _, err = admin.load(hall)
    assert (code, err) == (0, "")
    with admin.session() as session:
        prefixes = {s.code: s.prefix for s in session.scalars(select(Service))}
    assert (prefixes["bdc-transfer"], prefixes["bdc-mortgage"]) == ("B", "A")


# --- refusals -------------------------------------------------------------------------------


def _unknown_department(hall: Hall) -> Hall | str:
    hall["services"][0]["department"] = "weijian"
    return hall


def _duplicate_prefix(hall: Hall) -> Hall | str:
    hall["services"][5]["prefix"] = "A"  # 户籍业务 takes 不动产转移登记's A
    return hall


def _unknown_zone(hall: Hall) -> Hall | str:
    hall["hall"]["timezone"] = "Asia/Beijing"  # not an IANA zone: China uses Asia/Shanghai
    return hall


def _bad_toml(hall: Hall) -> Hall | str:
    return tomli_w.dumps(hall).replace("[hall]", "[hall", 1)


def _unknown_service_at_a_window(hall: Hall) -> Hall | str:
    hall["windows"][0]["services"].append("passport")
    return hall


def _a_bad_field(hall: Hall) -> Hall | str:
    hall["services"][0]["estimated_minutes"] = 0
    return hall


BAD: list[tuple[Callable[[Hall], Hall | str], str]] = [
    (_unknown_department, "service bdc-transfer: unknown department weijian"),
    (_duplicate_prefix, "ticket prefix A appears twice"),
    (_unknown_zone, "unknown time zone 'Asia/Beijing'"),
    (_bad_toml, "not valid TOML"),
    (_unknown_service_at_a_window, "window 1: unknown service passport"),
    (_a_bad_field, "services.0.estimated_minutes"),
]


@pytest.mark.parametrize(("spoil", "problem"), BAD, ids=[f.__name__.strip("_") for f, _ in BAD])
def test_a_bad_file_is_refused_naming_the_problem_and_nothing_is_written(
    admin: Admin, spoil: Callable[[Hall], Hall | str], problem: str
) -> None:
    admin.load(example())
    before = admin.snapshot()
    code, out, err = admin.load(spoil(example()))
    assert code == 2
    assert "Nothing was imported" in err and problem in err, err
    assert out == ""
    assert admin.snapshot() == before


def test_a_bad_file_does_not_even_create_the_database(admin: Admin) -> None:
    code, _, err = admin.load(_duplicate_prefix(example()))
    assert code == 2 and "ticket prefix A appears twice" in err
    assert not admin.db_path.exists()


def test_a_problem_found_while_writing_rolls_everything_back(admin: Admin) -> None:
    """Staff number admin already belongs to the 淮南 hall: loading a second hall that lists it
    fails half-way, and the half that was written is undone."""
    admin.load(example())
    before = admin.snapshot()
    second = example()
    second["hall"]["code"] = "hefei"
    second["hall"]["name"] = "合肥市政务服务中心"
    code, _, err = admin.load(second)
    assert code == 2
    assert "staff number admin already belongs to another hall" in err
    assert admin.snapshot() == before


async def test_a_prefix_swap_during_the_day_never_mixes_up_two_citizens(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    """不动产转移登记 and 抵押登记 swap prefixes at noon; each keeps its own numbering, so there
    are two A001s today. Calling "A001" is refused as ambiguous; calling by id works."""
    transfer = await kiosk.issue("bdc-transfer")
    assert transfer.code == "A001"
    spec = demo_hall()
    swapped = [
        s.model_copy(update={"prefix": {"A": "B", "B": "A"}.get(s.prefix, s.prefix)})
        for s in spec.services
    ]
    engine = make_engine(hall.database_url)
    with Session(engine) as session, session.begin():
        import_hall(session, spec.model_copy(update={"services": swapped}), hall.clock.now())
    engine.dispose()

    mortgage = await kiosk.issue("bdc-mortgage")
    assert mortgage.code == "A001"
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.call_ticket(1, "A001", reason="按预约")
    assert refused.value.code == "ticket_code_ambiguous"
    assert "by its id" in refused.value.message
    called = await li_hua.call_ticket(1, str(transfer.id), reason="按预约")
    assert (called.id, called.service) == (transfer.id, "bdc-transfer")


def test_a_department_the_file_no_longer_has_is_retired_and_no_longer_offered(
    admin: Admin,
) -> None:
    """The hall closes its 市场监管 counter (department shichang, its two services, window 6 and
    陈明 go to 综合受理 or leave): the department is reported, kept for the history, and no
    longer listed by GET /hall. Put back, it comes back."""
    admin.load(example())
    hall = example()
    hall["departments"] = [d for d in hall["departments"] if d["code"] != "shichang"]
    gone = {s["code"] for s in hall["services"] if s["department"] == "shichang"}
    hall["services"] = [s for s in hall["services"] if s["code"] not in gone]
    for window in hall["windows"]:
        window["services"] = [code for code in window["services"] if code not in gone]
    hall["windows"] = [
        w for w in hall["windows"] if w["department"] != "shichang" and w["services"]
    ]
    hall["staff"] = [s for s in hall["staff"] if s.get("department") != "shichang"]

    code, out, err = admin.load(hall)
    assert (code, err) == (0, "")
    assert "deactivated department shichang" in out
    with admin.session() as session:
        shichang = session.scalars(select(Department).where(Department.code == "shichang")).one()
        assert not shichang.active
        admin_row = session.scalars(select(Staff).where(Staff.staff_no == "admin")).one()
        who = Principal(
            staff_id=admin_row.id,
            hall_id=admin_row.hall_id,
            staff_no="admin",
            name=admin_row.name,
            department_id=None,
            roles=frozenset({Role.admin}),
            token_expires_at=local("2026-12-11 18:00"),
        )
        offered = hall_view(session, who, local("2026-12-11 09:00"))
    assert "shichang" not in {d.code for d in offered.departments}
    assert "zonghe" in {d.code for d in offered.departments}

    admin.load(example())
    with admin.session() as session:
        assert session.scalars(select(Department).where(Department.code == "shichang")).one().active


# --- sign-ins end with the access they were taken with ---------------------------------------


def _import(hall: RunningHall, spec: HallFile) -> ImportReport:
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session, session.begin():
            return import_hall(session, spec, hall.clock.now())
    finally:
        engine.dispose()


async def _answers(hall: RunningHall, token: str) -> bool:
    """Does the hall still take this sign-in?"""
    async with HallClient(hall.url, token, retry_delays=()) as client:
        try:
            await client.me()
        except errors.Unauthorized:
            return False
    return True


async def _signs_in_anew(hall: RunningHall, staff_no: str, password: str = "demo") -> bool:
    client = await signed_in(hall, staff_no, password)
    try:
        return await _answers(hall, client.token or "")
    finally:
        await client.aclose()


async def test_staff_left_out_of_the_hall_file_are_signed_out_for_good(
    hall: RunningHall, li_hua: HallClient, wang_fang: HallClient
) -> None:
    """李华 leaves the hall at noon: the new hall file no longer lists her, and the sign-in her
    workstation holds ends. Listed again in the afternoon (she came back), she signs in anew:
    the morning's token stays ended. 王芳, listed with the same password all along, stays
    signed in; when the file gives her a new password, her sign-in ends too."""
    assert li_hua.token is not None and wang_fang.token is not None
    spec = demo_hall()
    report = _import(
        hall, spec.model_copy(update={"staff": [s for s in spec.staff if s.staff_no != "1001"]})
    )
    assert "staff 1001" in report.deactivated
    assert not await _answers(hall, li_hua.token)
    assert await _answers(hall, wang_fang.token)

    _import(hall, spec)  # 李华 listed again; 王芳's password repeated
    assert not await _answers(hall, li_hua.token)
    assert await _answers(hall, wang_fang.token)
    assert await _signs_in_anew(hall, "1001")

    renewed = [
        s.model_copy(update={"password": "new-2026"}) if s.staff_no == "1002" else s
        for s in spec.staff
    ]
    _import(hall, spec.model_copy(update={"staff": renewed}))
    assert not await _answers(hall, wang_fang.token)
    assert await _signs_in_anew(hall, "1002", "new-2026")


# --- the first start of an embedded hall -------------------------------------------------------


def test_a_first_start_writes_the_first_hall_once(tmp_path: Path) -> None:
    """Two workstations on one new hall file both show the first-run questions: the first
    answer makes the hall, the second is refused and writes nothing."""
    url = sqlite_url(tmp_path / "office.sqlite3")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        assert first_start.needs_first_start(engine)
        spec = demo_hall()
        first_start.create_first_hall(engine, spec, local("2026-12-11 08:00"))
        assert not first_start.needs_first_start(engine)
        other = spec.model_copy(
            update={"staff": [spec.staff[0].model_copy(update={"staff_no": "boss"})]}
        )
        with pytest.raises(first_start.AlreadySetUp):
            first_start.create_first_hall(engine, other, local("2026-12-11 08:01"))
        with Session(engine) as session:
            assert not session.scalars(select(Staff).where(Staff.staff_no == "boss")).all()
    finally:
        engine.dispose()
