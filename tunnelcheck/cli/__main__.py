"""``python -m tunnelcheck.cli``: the ``tunnelcheck`` command."""

import sys

from . import main

sys.exit(main())
