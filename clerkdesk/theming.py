"""The workstation's look: one stylesheet and the themes, read from theme files.

The shipped files live in the repository's top-level themes/ (installed as `clerkdesk.themes`):
clerkdesk.tcss and one TOML file per theme. A user adds a theme of their own as a TOML file in
the config dir's themes/; a file that cannot be used is named with the reason, and the start
goes on without it.

    class ClerkDeskApp(App[None]):
        CSS_PATH = STYLESHEET

        def __init__(self, settings: Settings) -> None:
            super().__init__()
            self.theme_problems = register_themes(self)  # say them once mounted
            self.theme = pick_theme(self, settings.theme)  # in __init__: no flash of the default

        def watch_theme(self, name: str) -> None:  # also after "Theme" in the command palette
            save_theme_choice(name)  # a no-op when unchanged

The high-contrast theme gets heavier borders through the `-theme-clerkdesk-contrast` class
Textual puts on the App.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import tomllib
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

from clerkdesk.config import Settings, config_dir, load_settings, save_settings
from clerkdesk.i18n import _


def _shipped_dir() -> Path:
    """Where the shipped theme files are: the installed `clerkdesk.themes`, or themes/ beside
    the package in a source checkout that is not installed."""
    spec = importlib.util.find_spec("clerkdesk.themes")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parent.parent / "themes"


THEME_DIR = _shipped_dir()
STYLESHEET: Path = THEME_DIR / "clerkdesk.tcss"
SHIPPED = ("clerkdesk-light", "clerkdesk-dark", "clerkdesk-contrast")  # in the palette's order
DEFAULT_THEME = SHIPPED[0]

_FIELDS = {f.name: f for f in dataclasses.fields(Theme)}
_COLOURS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file and says what to fix."""


def theme_from_file(path: Path) -> Theme:
    """The Theme a TOML theme file defines; ThemeFileError says what is wrong with it."""

    def refuse(why: str) -> ThemeFileError:
        return ThemeFileError(
            _("The theme file {path} is not used: {why}. Fix it or remove it.").format(
                path=path, why=why
            )
        )

    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise refuse(_("it is not readable TOML ({error})").format(error=exc)) from exc
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise refuse(_("unknown fields {fields}").format(fields=", ".join(unknown)))
    for required in ("name", "primary"):
        if not isinstance(data.get(required), str) or not data[required].strip():
            raise refuse(_("it needs a {field} (text)").format(field=required))
    for colour in _COLOURS:
        value = data.get(colour)
        if value is None:
            continue
        try:
            Color.parse(value)
        except (ColorParseError, TypeError, ValueError) as exc:
            raise refuse(
                _("{field} = “{value}” is not a colour").format(field=colour, value=value)
            ) from exc
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise refuse(_('[variables] holds names = "text" only'))
    for flag in ("dark",):
        if flag in data and not isinstance(data[flag], bool):
            raise refuse(_("{field} is true or false").format(field=flag))
    for number in ("luminosity_spread", "text_alpha"):
        if number in data and (
            isinstance(data[number], bool) or not isinstance(data[number], int | float)
        ):
            raise refuse(_("{field} is a number").format(field=number))
    return Theme(**{**data, "variables": dict(variables)})


def shipped_themes() -> dict[str, Theme]:
    return {name: theme_from_file(THEME_DIR / f"{name}.toml") for name in SHIPPED}


THEMES: dict[str, Theme] = shipped_themes()


def user_theme_dir() -> Path:
    return config_dir() / "themes"


def user_themes(folder: Path | None = None) -> tuple[list[Theme], list[str]]:
    """The themes in the user's theme folder, and what is wrong with the files that are not
    used (a name taken by a shipped theme, too)."""
    folder = folder or user_theme_dir()
    found: list[Theme] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            theme = theme_from_file(path)
        except ThemeFileError as exc:
            problems.append(str(exc))
            continue
        if theme.name in THEMES:
            problems.append(
                _(
                    "The theme file {path} is not used: {name} is a shipped theme; "
                    "give yours another name."
                ).format(path=path, name=theme.name)
            )
            continue
        found.append(theme)
    return found, problems


def register_themes(app: App[Any]) -> list[str]:
    """Make the shipped themes and the user's own available to `app.theme` and the command
    palette; what is wrong with the user's theme files that are not used (each a sentence)."""
    for theme in THEMES.values():
        app.register_theme(theme)
    mine, problems = user_themes()
    for theme in mine:
        app.register_theme(theme)
    return problems


def pick_theme(app: App[Any], name: str | None) -> str:
    """`name` if the app knows that theme (a saved choice may be stale), else the default."""
    return name if name and name in app.available_themes else DEFAULT_THEME


def save_theme_choice(name: str, path: Path | None = None) -> bool:
    """Keep `name` as the theme in the config file; True if the file changed.

    Writes nothing when the file already holds that choice (the App sets its theme at start
    too). Raises clerkdesk.config.ConfigError if the config file is not valid TOML.
    """
    settings: Settings = load_settings(path)
    if settings.theme == name:
        return False
    settings.theme = name
    save_settings(settings, path)
    return True
