"""The workstation's look: one stylesheet and three registered Textual themes.

    class ClerkDeskApp(App[None]):
        CSS_PATH = STYLESHEET

        def __init__(self, settings: Settings) -> None:
            super().__init__()
            register_themes(self)
            self.theme = pick_theme(self, settings.theme)  # in __init__: no flash of the default

        def watch_theme(self, name: str) -> None:  # also after "Theme" in the command palette
            save_theme_choice(name)  # a no-op when unchanged

The stylesheet uses only Textual's own theme variables ($primary, $warning, $error, $surface,
$boost, $border …), so Textual's built-in themes work with it too. The high-contrast theme gets
heavier borders through the `-theme-clerkdesk-contrast` class Textual puts on the App.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.theme import Theme

from clerkdesk.config import Settings, load_settings, save_settings

STYLESHEET: Path = Path(__file__).with_name("clerkdesk.tcss")

LIGHT = Theme(
    name="clerkdesk-light",
    primary="#1E5AA8",
    secondary="#3A7BD5",
    accent="#B3261E",
    warning="#B35C00",
    error="#C62828",
    success="#2E7D32",
    foreground="#1B1F24",
    background="#F4F5F7",
    surface="#FFFFFF",
    panel="#E3E8EF",
    dark=False,
    variables={"footer-key-foreground": "#1E5AA8"},
)

DARK = Theme(
    name="clerkdesk-dark",
    primary="#4C9AFF",
    secondary="#7AB8FF",
    accent="#FF8A80",
    warning="#F5A623",
    error="#E5484D",
    success="#46A758",
    foreground="#E6E8EB",
    background="#14171C",
    surface="#1C2128",
    panel="#262C36",
    dark=True,
)

_BLACK, _WHITE, _YELLOW = "#000000", "#FFFFFF", "#FFFF00"

CONTRAST = Theme(
    name="clerkdesk-contrast",
    primary=_YELLOW,
    secondary=_WHITE,
    accent=_YELLOW,
    warning=_WHITE,  # closing banner: black on white
    error=_YELLOW,  # offline banner: black on yellow
    success=_WHITE,
    foreground=_WHITE,
    background=_BLACK,
    surface=_BLACK,
    panel=_BLACK,
    boost="#FFFFFF00",
    dark=True,
    text_alpha=1.0,
    variables={
        # the colour system rounds through HSL (#FFFF00 -> #FEFF00): pin the pure colours
        "primary": _YELLOW,
        "accent": _YELLOW,
        "error": _YELLOW,
        "text": _WHITE,
        "text-muted": _WHITE,
        "text-primary": _YELLOW,
        "text-warning": _WHITE,
        "text-error": _YELLOW,
        "foreground-muted": _WHITE,
        "border": _YELLOW,
        "border-blurred": _WHITE,
        "block-cursor-background": _YELLOW,
        "block-cursor-foreground": _BLACK,
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": _WHITE,
        "block-cursor-blurred-foreground": _BLACK,
        "block-hover-background": "#333333",
        "footer-background": _BLACK,
        "footer-foreground": _WHITE,
        "footer-key-foreground": _YELLOW,
        "footer-description-foreground": _WHITE,
        "input-cursor-background": _YELLOW,
        "input-cursor-foreground": _BLACK,
        "input-selection-background": _YELLOW,
        "input-selection-foreground": _BLACK,
        "button-color-foreground": _BLACK,
        "button-focus-text-style": "bold reverse",
        "scrollbar": _WHITE,
        "scrollbar-hover": _YELLOW,
        "scrollbar-active": _YELLOW,
        "scrollbar-background": _BLACK,
        "link-color": _YELLOW,
    },
)

THEMES: dict[str, Theme] = {theme.name: theme for theme in (LIGHT, DARK, CONTRAST)}
DEFAULT_THEME = LIGHT.name


def register_themes(app: App[Any]) -> None:
    """Make the three ClerkDesk themes available to `app.theme` and the command palette."""
    for theme in THEMES.values():
        app.register_theme(theme)


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
