"""`python -m policykit`: the same as the `policykit` command."""

import sys

from .cli import main

sys.exit(main())
