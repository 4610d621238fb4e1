"""Wrong passwords slow the guesser down, never lock a person out from somewhere else.

Three tallies of wrong passwords, each with its own free tries and a wait that grows with each
wrong password beyond them (doubling, up to a cap), forgotten after a quiet spell:

- **per source address and staff number** (`PAIR`): 5 free tries, then 1, 2, 4, 8, 15, 15 …
  minutes. This is what stops someone guessing one person's password from one place.
- **per source address** (`SOURCE`): 30 wrong passwords over any staff numbers, then 30 s
  doubling to 15 minutes: one place trying many staff numbers.
- **per staff number** (`ACCOUNT`): 20 wrong passwords from all places together, then 10 s
  doubling to at most one minute. Only a mild bound, so that guesses from many addresses are
  slowed while a stranger can never keep the person out for long. A place where the person
  signed in before (this process remembers the last few per staff number) is not held by the
  source's or the staff number's tally at all: only its own pair's.

The same tallies are kept for staff numbers that do not exist, so the answers never tell which
exist. A right password clears its pair's tally only: not the source's (a guesser with an
account of their own would clear it between guesses), nor the staff number's (the person,
signing in at their own places, would clear the bound on guesses from everywhere else).
Tries in progress count: while the tally has no free try for them, concurrent guesses wait.

The tallies live in this process's memory, bounded (the least recently used are forgotten), and
start empty after a restart; with several server processes each keeps its own. Time is passed
in.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MOST_DOUBLINGS = 16  # beyond this every wait is at its cap anyway


@dataclass(frozen=True)
class Backoff:
    free_tries: int
    first_wait: timedelta
    longest_wait: timedelta
    forget_after: timedelta
    """Quiet time after the last wrong password (and its wait) after which the tally restarts."""

    def wait_after(self, failures: int) -> timedelta:
        """The wait imposed by the `failures`-th wrong password (zero within the free tries)."""
        beyond = failures - self.free_tries
        if beyond < 0:
            return timedelta(0)
        return min(self.first_wait * 2 ** min(beyond, MOST_DOUBLINGS), self.longest_wait)


PAIR = Backoff(5, timedelta(minutes=1), timedelta(minutes=15), timedelta(hours=1))
SOURCE = Backoff(30, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1))
ACCOUNT = Backoff(20, timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=15))
BUSY_WAIT = timedelta(seconds=1)
"""How long to come back after when the free tries are all in progress at once."""


@dataclass
class Tally:
    failures: int = 0
    in_flight: int = 0
    wait_until: datetime | None = None
    last_failure: datetime | None = None

    def refresh(self, rule: Backoff, now: datetime) -> None:
        quiet_since = max(filter(None, (self.last_failure, self.wait_until)), default=None)
        if quiet_since is not None and now - quiet_since >= rule.forget_after:
            self.failures, self.wait_until, self.last_failure = 0, None, None

    def wait(self, rule: Backoff, now: datetime) -> timedelta:
        """How long this tally holds a new try back now (zero: not at all)."""
        if self.wait_until is not None and self.wait_until > now:
            return self.wait_until - now
        if self.in_flight >= max(1, rule.free_tries - self.failures):
            return BUSY_WAIT
        return timedelta(0)

    def tries_left(self, rule: Backoff) -> int:
        return max(0, rule.free_tries - self.failures)


@dataclass(frozen=True)
class Verdict:
    """What a wrong password leaves: tries before a wait, and the wait (zero: none yet)."""

    tries_left: int
    wait: timedelta


@dataclass
class Attempt:
    """One sign-in in progress: the tallies it holds a try of, until it is settled."""

    source: str
    staff_no: str
    held: list[tuple[Backoff, Tally]] = field(default_factory=list)
    settled: bool = False


class HeldBack(Exception):
    """Not now: come back after `wait`."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"wait {wait}")
        self.wait = wait


class _Tallies:
    """Tallies by key, the least recently used forgotten beyond `limit`."""

    def __init__(self, rule: Backoff, limit: int) -> None:
        self.rule = rule
        self._limit = limit
        self._by_key: OrderedDict[object, Tally] = OrderedDict()

    def get(self, key: object, now: datetime) -> Tally:
        tally = self._by_key.get(key)
        if tally is None:
            tally = self._by_key[key] = Tally()
            if len(self._by_key) > self._limit:
                self._by_key.popitem(last=False)
        else:
            self._by_key.move_to_end(key)
        tally.refresh(self.rule, now)
        return tally

    def forget(self, key: object) -> None:
        self._by_key.pop(key, None)


class SignInThrottle:
    """Used from one event loop (the sign-in route): no locks."""

    def __init__(
        self,
        pair: Backoff = PAIR,
        source: Backoff = SOURCE,
        account: Backoff = ACCOUNT,
        limit: int = 50_000,
        places_remembered: int = 8,
    ) -> None:
        self._limit = limit
        self._pairs = _Tallies(pair, limit)
        self._sources = _Tallies(source, limit)
        self._accounts = _Tallies(account, limit)
        self._places_remembered = places_remembered
        self._known: OrderedDict[str, list[str]] = OrderedDict()  # staff number → sources

    def admit(self, source: str, staff_no: str, now: datetime) -> Attempt:
        """Hold a try of each tally that applies, or raise `HeldBack` with the longest wait."""
        tallies = [(self._pairs.rule, self._pairs.get((source, staff_no), now))]
        if source not in self._known.get(staff_no, ()):
            tallies.append((self._sources.rule, self._sources.get(source, now)))
            tallies.append((self._accounts.rule, self._accounts.get(staff_no, now)))
        wait = max(tally.wait(rule, now) for rule, tally in tallies)
        if wait > timedelta(0):
            raise HeldBack(wait)
        for _rule, tally in tallies:
            tally.in_flight += 1
        return Attempt(source, staff_no, tallies)

    def failed(self, attempt: Attempt, now: datetime) -> Verdict:
        """A wrong password (or an unknown staff number): count it in every tally held."""
        self._settle(attempt)
        for rule, tally in attempt.held:
            tally.failures += 1
            tally.last_failure = now
            until = now + rule.wait_after(tally.failures)
            if until > now and (tally.wait_until is None or until > tally.wait_until):
                tally.wait_until = until
        wait = max(
            (t.wait_until - now for _r, t in attempt.held if t.wait_until and t.wait_until > now),
            default=timedelta(0),
        )
        return Verdict(min(t.tries_left(r) for r, t in attempt.held), wait)

    def succeeded(self, attempt: Attempt) -> None:
        self._settle(attempt)
        self._pairs.forget((attempt.source, attempt.staff_no))
        places = [p for p in self._known.pop(attempt.staff_no, []) if p != attempt.source]
        self._known[attempt.staff_no] = [*places, attempt.source][-self._places_remembered :]
        if len(self._known) > self._limit:
            self._known.popitem(last=False)

    def release(self, attempt: Attempt) -> None:
        """The try ended without an answer on the password (a failure elsewhere): not counted."""
        self._settle(attempt)

    def _settle(self, attempt: Attempt) -> None:
        if not attempt.settled:
            attempt.settled = True
            for _rule, tally in attempt.held:
                tally.in_flight -= 1


def whole_seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def whole_minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))
