"""``--tunnelcheck-plan plan.json``: the report, the Markdown summary and the results JSON link each failing
check to the steps of ``tunnelcheck plan`` that resolve it (in the plan's plan.md)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import pytest
from tcharness import Demo


def _plan(demo: Demo, *extra: str) -> None:
    done = subprocess.run([sys.executable, "-m", "tunnelcheck.cli", "plan", "--snapshot=contoso.json",
                           "--baseline=baseline.json", "--tunnelcheck-config=config.yaml", *extra],
                          cwd=demo.pytester.path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr


def test_failing_checks_link_to_their_plan_steps(pytester: pytest.Pytester) -> None:
    demo = Demo(pytester)
    (pytester.path / "plans").mkdir()
    _plan(demo, "-o", "plans/plan.md", "--json", "plans/plan.json")
    run = demo.run("--tunnelcheck-plan=plans/plan.json", "--tunnelcheck-markdown=summary.md", "--html=report.html",
                   "--self-contained-html")
    run.assert_no_traceback()
    and02 = run.record("TUN-AND-02")
    assert [(s["number"], s["href"]) for s in and02["plan_steps"]] == [(1, "plans/plan.md#step-1")]
    assert "plan_steps" not in run.record("TUN-GW-01")  # no configuration change resolves it
    assert "plan_steps" not in run.record("TUN-GW-02")  # passing
    summary = (pytester.path / "summary.md").read_text()
    assert "(plan: [step 1](plans/plan.md#step-1))" in summary
    blob = re.search(r'data-jsonblob="([^"]*)"', (pytester.path / "report.html").read_text())
    assert blob, "pytest-html keeps its results in data-jsonblob"
    (entry,) = json.loads(html.unescape(blob.group(1)))["tests"]["tunnelcheck::TUN-AND-02[contoso]"]
    extra = "".join(e["content"] for e in entry["extras"] if e["format_type"] == "html")
    assert '<p class="tc-plan"><strong>Plan:</strong> <a href="plans/plan.md#step-1">step 1: Offer' in extra
    plan_md = (pytester.path / "plans" / "plan.md").read_text()
    assert '<a id="step-1"></a>' in plan_md


def test_a_plan_of_another_tenant_links_nothing(pytester: pytest.Pytester) -> None:
    demo = Demo(pytester)
    _plan(demo)
    doc = json.loads((pytester.path / "plan.json").read_text())
    doc["tenant"] |= {"tenant_id": "00000000-0000-0000-0000-000000000000", "label": "fabrikam"}
    (pytester.path / "plan.json").write_text(json.dumps(doc))
    run = demo.run("--tunnelcheck-plan=plan.json")
    assert all("plan_steps" not in r for r in run.document["results"])


def test_a_file_that_is_no_plan_is_a_usage_error(pytester: pytest.Pytester) -> None:
    demo = Demo(pytester)
    (pytester.path / "plan.json").write_text("{}")
    run = demo.run("--tunnelcheck-plan=plan.json")
    assert run.result.ret == 4
    assert "not a plan.json written by tunnelcheck plan" in "\n".join(run.result.errlines)
