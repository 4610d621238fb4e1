"""`python -m clerkdesk.cli …`: the same as `clerkdesk …`."""

from clerkdesk.cli.main import main

raise SystemExit(main())
