"""`python -m alignrules`."""

from alignrules.cli import main

raise SystemExit(main())
