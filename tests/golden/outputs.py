"""Every text output of tunnelcheck on fixed tenants, normalised, to prove a restructuring changed none.

    python tests/golden/outputs.py OUT_DIR     # writes the outputs of the installed tunnelcheck to OUT_DIR

The tenants are the embedded demo (with its baseline, drift and config) and synthetic tenants of
``tunnelcheck synth`` (S, seeds 1 and 7, each with its baseline). For each: the results JSON, the Markdown
summary and the terminal report of a pytest run, and ``tunnelcheck diff`` in its four formats. Only what
changes by itself is normalised: the time of the run, durations and the folder the files are in.
tests/test_golden_outputs.py compares them with the committed files beside this script.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

TENANTS = {"demo": None, "synth-S-1": ("S", "1"), "synth-S-7": ("S", "7")}
DIFF_FORMATS = ("text", "markdown", "json", "html")


def _run(args: list[str], cwd: Path) -> str:
    # pytest shortens its summary lines unless it sees a CI system (CI, BUILD_NUMBER): the same everywhere.
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "BUILD_NUMBER")}
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False,
                          env={**env, "COLUMNS": "120", "PYTHONHASHSEED": "0"})
    return done.stdout


def _tenant_files(name: str, work: Path) -> tuple[Path, Path, list[str]]:
    """(current, baseline, extra pytest options) of a tenant, in ``work``."""
    if name == "demo":
        demo = resources.files("tunnelcheck.demo")
        for file in ("contoso.json", "baseline.json", "config.yaml"):
            shutil.copyfile(str(demo / file), work / file)
        return work / "contoso.json", work / "baseline.json", [f"--tunnelcheck-config={work / 'config.yaml'}"]
    size, seed = TENANTS[name]  # type: ignore[misc]
    current, baseline = work / f"{name}.json", work / f"{name}-baseline.json"
    subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "synth", "--size", size, "--seed", seed,
                    "-o", str(current), "--baseline", str(baseline)], check=True, capture_output=True)
    return current, baseline, []


def _normalise(text: str, work: Path) -> str:
    text = re.sub(r"[^\s(>`|\"]*tcgolden[^/\s]*", "<work>", text)  # the folder, escaped or not
    text = re.sub(r'"generated_at": "[^"]*"', '"generated_at": "<time>"', text)
    text = re.sub(r"\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)", "(<time>)", text)
    text = re.sub(r"(SKIPPED \[\d+\] )\S*tunnelcheck/plugin\.py:\d+:", r"\1<plugin>:", text)
    return re.sub(r" in \d+\.\d+s( \([0-9:]+\))?", " in <seconds>", text)


def write(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in TENANTS:
        with tempfile.TemporaryDirectory(prefix="tcgolden") as tmp:
            work = Path(tmp)
            current, baseline, options = _tenant_files(name, work)
            terminal = _run([sys.executable, "-m", "pytest", "--rootdir=.", "-p", "no:cacheprovider", "-p",
                             "no:html", "-q", "-rA", f"--snapshot={current}", f"--baseline={baseline}", "--drift",
                             *options, f"--tunnelcheck-json={work / 'results.json'}",
                             f"--tunnelcheck-markdown={work / 'summary.md'}"], work)
            results = json.loads((work / "results.json").read_text(encoding="utf-8"))
            outputs = {
                "results.json": json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False),
                "summary.md": (work / "summary.md").read_text(encoding="utf-8"),
                "terminal.txt": terminal,
            }
            for fmt in DIFF_FORMATS:
                outputs[f"diff.{fmt}"] = _run([sys.executable, "-m", "tunnelcheck.cli", "diff", str(baseline),
                                               str(current), "--format", fmt, *options], work)
            for kind, text in outputs.items():
                (out / f"{name}.{kind}").write_text(_normalise(text, work), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]))
