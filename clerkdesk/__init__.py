"""ClerkDesk: the counter workstation and hall service of a government service centre."""

__version__ = "0.1.0"
