"""``python -m tunnelcheck.emulator SNAPSHOT``: the emulator without the tunnelcheck CLI."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
