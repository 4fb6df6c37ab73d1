"""pytest-html is optional: the plugin runs the same when it is blocked or cannot be imported."""

from __future__ import annotations

import pytest
from tcharness import Demo, catalog_phases, expected_for

PROBE = '''
import sys


def test_html_report_not_registered(pytestconfig):
    assert pytestconfig.pluginmanager.get_plugin("tunnelcheck-html") is None
    assert "tunnelcheck.reports.html_report" not in sys.modules
'''


def _catalog_expected() -> dict[str, str]:
    return expected_for({cid for cid, phase in catalog_phases().items() if phase != "drift"})


def test_plugin_works_with_pytest_html_blocked(demo: Demo) -> None:
    demo.pytester.makepyfile(test_probe=PROBE)
    run = demo.run("-p", "no:html", ".")
    run.assert_no_traceback()
    assert run.outcomes == _catalog_expected()
    run.result.assert_outcomes(passed=list(run.outcomes.values()).count("passed") + 1,
                               failed=list(run.outcomes.values()).count("failed"))


def test_plugin_works_when_pytest_html_cannot_be_imported(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    # No entry point autoload (pytest-html's would load it first); a plugin loaded before ours makes
    # ``import pytest_html`` raise ImportError, as on a machine without it.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    demo.pytester.makepyfile(
        nohtml='import sys\nsys.modules["pytest_html"] = None  # import pytest_html -> ImportError\n',
        test_probe=PROBE + '''

def test_pytest_html_unimportable():
    import pytest
    with pytest.raises(ImportError):
        import pytest_html  # noqa: F401
''')
    run = demo.run("-p", "nohtml", "-p", "tunnelcheck.plugin", ".")
    run.assert_no_traceback()
    assert run.outcomes == _catalog_expected()
    run.result.assert_outcomes(passed=list(run.outcomes.values()).count("passed") + 2,
                               failed=list(run.outcomes.values()).count("failed"))
    # Asking for an HTML report then is pytest's own usage error, not a crash of ours.
    asked = demo.run("-p", "nohtml", "-p", "tunnelcheck.plugin", "--html=report.html")
    assert asked.result.ret == pytest.ExitCode.USAGE_ERROR
    asked.assert_no_traceback()
