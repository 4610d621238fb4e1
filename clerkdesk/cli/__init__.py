"""`clerkdesk`: the workstation, the hall service, the demo and the admin commands.

main (the parser, and which command runs) · serve · demo · admin (import, set-password) ·
admin_calendar · trouble (a database or a port that cannot be used, said in one line)."""

from clerkdesk.cli.main import main

__all__ = ["main"]
