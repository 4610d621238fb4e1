"""The workstation's connection to one hall: server, client, clock, who is signed in, and the
stored token that lets the next start resume without a password."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import httpx

from clerkdesk.api import schemas as w
from clerkdesk.api.client import RETRY_DELAYS, HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.errors import HallClientError, NotFound, Unauthorized
from clerkdesk.clock import Clock, FollowedClock
from clerkdesk.credentials import TokenStore


@dataclass
class Server:
    """Where the hall is. `identity` keys the stored token: the URL, or a stable name for the
    embedded hall whose port changes at every start; `label` is what the screen shows."""

    url: str
    label: str
    identity: str
    embedded: bool = False

    @classmethod
    def remote(cls, url: str, label: str | None = None) -> Server:
        return cls(url.rstrip("/"), label or url.rstrip("/"), url.rstrip("/"))


@dataclass
class Workstation:
    server: Server
    clock: Clock
    tokens: TokenStore
    transport: httpx.AsyncBaseTransport | None = None
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    align_clock: bool = False  # True: `clock` (a FollowedClock) follows the hall's GET /clock
    me: w.MeOut | None = None
    client: HallClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = self._new_client()

    def _new_client(self) -> HallClient:
        return HallClient(self.server.url, transport=self.transport, retry_delays=self.retry_delays)

    @property
    def closing(self) -> ClosingClient:
        """Closing time (the banner, extension requests) on the same signed-in client."""
        return ClosingClient(self.client)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.me.timezone if self.me else "Asia/Shanghai")

    @property
    def staff_no(self) -> str:
        return self.me.staff.staff_no if self.me else ""

    @property
    def may_decide(self) -> bool:
        """A duty lead (or an admin): offered the duty lead screen. The server still checks
        every decision."""
        roles = self.me.staff.roles if self.me else []
        return w.Role.lead in roles or w.Role.admin in roles

    async def switch_server(self, server: Server) -> None:
        if server.url != self.server.url:
            await self.client.aclose()
            self.server = server
            self.client = self._new_client()

    async def resume(self, staff_no: str) -> w.MeOut | None:
        """Sign in again from the stored token; None when there is none or it has ended."""
        stored = await asyncio.to_thread(self.tokens.load, self.server.identity, staff_no)
        if stored is None:
            return None
        self.client.token = stored.token
        try:
            self.me = await self.client.me()
        except Unauthorized:
            self.client.token = None
            await asyncio.to_thread(self.tokens.delete, self.server.identity, staff_no)
            return None
        await self.follow_hall_clock()
        return self.me

    async def sign_in(self, staff_no: str, password: str) -> w.MeOut:
        answer = await self.client.login(staff_no, password)
        await asyncio.to_thread(
            self.tokens.save, self.server.identity, staff_no, answer.token, answer.expires_at
        )
        self.me = await self.client.me()
        await self.follow_hall_clock()
        return self.me

    async def sign_out(self) -> None:
        """End the sign-in on the server (if it answers) and forget the stored token."""
        staff_no = self.staff_no
        with contextlib.suppress(HallClientError):
            await self.client.logout()
        self.client.token = None
        self.me = None
        await asyncio.to_thread(self.tokens.delete, self.server.identity, staff_no)

    async def follow_hall_clock(self) -> None:
        """Take the hall's time and speed (a demo's `--speed`), at sign-in and on each
        reconnect: countdowns and clocks on screen run in the hall's time, not the PC's."""
        if not self.align_clock or not isinstance(self.clock, FollowedClock):
            return
        asked = self.clock.monotonic()
        try:
            told = await self.client.clock()
            now, speed = told.now, told.speed
        except NotFound:  # a hall from before GET /clock: its time, at 1x
            now, speed = (await self.client.health()).now, 1.0
        answered = self.clock.monotonic()
        self.clock.follow(now, speed, at=(asked + answered) / 2)  # halfway through the round trip
