"""The fingerprint of a POST, stored with its Idempotency-Key: a retry with the key and the same
request gets the first answer back; the key with another request is refused.

One derivation for every route: the route's path template, its path parameters by value (a
number is a number however it was written: window 007 is window 7) and its body as validated
(defaults filled in, JSON-ready), so two sends of one intended action print alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel


def fingerprint(route: str, path_params: Mapping[str, object], body: BaseModel | None) -> str:
    parts = {
        "route": route,
        "path": dict(path_params),
        "body": body.model_dump(mode="json") if body is not None else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _by_value(raw: str) -> object:
    return int(raw) if raw.isascii() and raw.isdigit() else raw


@dataclass(frozen=True)
class Post:
    """A POST that changes the hall: who sends it (the token), its Idempotency-Key, its route
    and path parameters; `of(body)` gives what `HallContext.write` takes first."""

    token: str
    key: str
    route: str
    path_params: Mapping[str, str] = field(default_factory=dict)

    def of(self, body: BaseModel | None = None) -> tuple[str, str, str]:
        params = {name: _by_value(value) for name, value in self.path_params.items()}
        return self.token, self.key, fingerprint(self.route, params, body)
