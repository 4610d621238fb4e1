"""ClerkDesk's theme files, installed as the package `clerkdesk.themes` (pyproject: package-dir):
the stylesheet (clerkdesk.tcss) and one TOML file per theme. clerkdesk/theming.py reads them,
and the user's own theme files in the config dir's themes/."""
