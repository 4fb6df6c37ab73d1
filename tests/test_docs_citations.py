"""Comments and docs cite the project's own pages, and every cited section exists.

The product documents the project was started from are not in the repository, so a comment citing them
leaves its reader with nothing to open; a page anchor that does not exist does the same.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"graph-facts|DESIGN\.md|CHECKS\.md|style-models|\.\./shared/")
CITATION = re.compile(r"docs/([\w-]+\.md)#([\w-]+)")
THIS = Path(__file__).relative_to(ROOT).as_posix()


def _tracked_text() -> dict[str, str]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    texts = {}
    for name in names.split():
        path = ROOT / name
        if name == THIS or not path.is_file() or name.startswith("tests/golden/expected"):
            continue
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", page.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_nothing_cites_documents_outside_the_repository() -> None:
    texts = _tracked_text()
    assert "tunnelcheck/sources/snapshot.py" in texts
    found = [f"{name}:{n}" for name, text in texts.items()
             for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not found, "cite docs/ instead: " + ", ".join(found)


def test_every_cited_section_exists() -> None:
    cited = {(page, anchor) for text in _tracked_text().values() for page, anchor in CITATION.findall(text)}
    assert ("graph.md", "throttling") in cited
    missing = [f"docs/{page}#{anchor}" for page, anchor in sorted(cited)
               if not (ROOT / "docs" / page).is_file() or anchor not in _anchors(ROOT / "docs" / page)]
    assert not missing, missing
