"""``python -m opsportal.cli ...``: the same as the `opsportal` command (what background jobs start)."""

import sys

from opsportal.cli import main

sys.exit(main())
