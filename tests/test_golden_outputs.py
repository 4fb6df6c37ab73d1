"""Every output on fixed tenants is what it was: tests/golden/expected holds the normalised outputs (results
JSON, Markdown summary, terminal report, ``tunnelcheck diff`` in four formats) of the demo tenant and two
synthetic ones, written by tests/golden/outputs.py. A restructuring must leave them byte for byte; a change
meant to alter an output regenerates them (``python tests/golden/outputs.py tests/golden/expected``) and
the diff shows, in review, exactly what changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
import outputs  # noqa: E402

EXPECTED = Path(__file__).parent / "golden" / "expected"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    outputs.write(out)
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in EXPECTED.iterdir()))
def test_output_is_unchanged(written: Path, name: str) -> None:
    assert (written / name).read_text(encoding="utf-8") == (EXPECTED / name).read_text(encoding="utf-8"), (
        f"{name} changed: if that is meant, run python tests/golden/outputs.py tests/golden/expected")


def test_every_output_is_compared(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(p.name for p in EXPECTED.iterdir())
    assert len(list(EXPECTED.iterdir())) == 3 * 7
