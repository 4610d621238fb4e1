"""The ticket kiosk's screens (取号机): coming up, home, the green channel, the ticket."""

from clerkdesk.screens.kiosk.context import CancelFailedPrint, GoHome, KioskContext
from clerkdesk.screens.kiosk.home import KioskHomeScreen
from clerkdesk.screens.kiosk.start import KioskStartScreen

__all__ = ["CancelFailedPrint", "GoHome", "KioskContext", "KioskHomeScreen", "KioskStartScreen"]
