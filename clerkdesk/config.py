"""Where ClerkDesk keeps its files, and the user's settings (TOML in the user config dir)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs
import tomli_w

APP = "clerkdesk"
ENV_SERVER = "CLERKDESK_SERVER"
ENV_HOME = "CLERKDESK_HOME"  # one folder for config and data: tests and portable installs


def config_dir() -> Path:
    home = os.environ.get(ENV_HOME)
    return Path(home) / "config" if home else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    home = os.environ.get(ENV_HOME)
    return Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP))


def config_path() -> Path:
    return config_dir() / "config.toml"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'hall.sqlite3'}"


@dataclass
class Settings:
    server: str | None = None
    language: str | None = None
    theme: str = "clerkdesk-light"
    staff_no: str | None = None
    window: int | None = None
    plaintext_token_file: bool = False
    extra: dict[str, object] = field(default_factory=dict)


class ConfigError(ValueError):
    pass


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix or delete the file") from None
    known = {f.name for f in fields(Settings)} - {"extra"}
    settings = Settings(**{k: v for k, v in raw.items() if k in known})
    settings.extra = {k: v for k, v in raw.items() if k not in known}
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = dict(settings.extra)
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if f.name != "extra" and value is not None:
            data[f.name] = value
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)


def resolve_server(flag: str | None, settings: Settings) -> str | None:
    """--server, then CLERKDESK_SERVER, then the config file; None means the embedded hall."""
    return flag or os.environ.get(ENV_SERVER) or settings.server or None
