"""``python -m tunnelcheck.emulator SNAPSHOT``: the emulator without the rest of the tunnelcheck command
(its command line is tunnelcheck/cli/emulate.py)."""

from __future__ import annotations

import sys

from ..cli.emulate import main

sys.exit(main())
