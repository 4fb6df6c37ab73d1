"""The pytest plugin (entry point ``pytest11``): options, the catalog as test items, fixtures, results.

With a source option (``--snapshot`` or ``--tenant``) every check of the catalog becomes one test item per
tenant, ``tunnelcheck::TUN-AND-05[<tenant>]``; with no path arguments only the catalog runs, from any
folder. Users' own checks are ordinary test functions using the ``tenant`` and ``evidence`` fixtures,
described by ``@pytest.mark.tunnelcheck(id=..., title=..., phase=..., platform=..., ...)``.
Per-run state lives in ``config.stash``; nothing is global, nothing is fetched at import.

Everything this plugin hands pytest to print (test names, failure text, skip and waiver reasons, usage
errors, the unused-waivers section) goes through :func:`tunnelcheck.untrusted.for_terminal`: a tenant's
names, a snapshot's file name or a waiver's text cannot drive the terminal. The results keep the values
as they are.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import config as config_file
from . import waivers
from .check import Check, CheckFailed, Evidence, Phase, Platform, Severity, Verdict, new_check, run_check
from .errors import CheckDefinitionError, ConfigError, DataUnavailable, TunnelcheckError
from .files import check_writable
from .model.resources import Resource
from .registry import Catalog, builtin_checks, entry_point_plugins
from .reports import summary as summary_mod
from .results import OUTCOMES, MissingData, Outcome, Result
from .run import RUN_KEY, RunState, run_summary, with_plan_steps, write_results
from .scrub import scrub
from .sources import snapshot
from .tenant import Tenant
from .untrusted import for_terminal
from .wording import counted

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

__all__ = ["CheckItem", "TenantProgress", "describe_failure", "tenant_progress"]



VERDICT_KEY = pytest.StashKey[Verdict]()
EVIDENCE_KEY = pytest.StashKey[Evidence]()


# ---------------------------------------------------------------------------------------------------
# Options and configuration


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tunnelcheck", "tunnelcheck: Microsoft Tunnel to Defender migration checks")
    group.addoption("--snapshot", action="append", default=[], metavar="FILE", dest="tunnelcheck_snapshots",
                    help="run the checks on a recorded tenant snapshot (.json or .json.gz); repeatable")
    group.addoption("--tenant", action="append", default=[], metavar="TENANT", dest="tunnelcheck_tenants",
                    help="run the checks on a live tenant through Microsoft Graph; repeatable")
    group.addoption("--baseline", metavar="FILE", dest="tunnelcheck_baseline",
                    help="the snapshot recorded before the migration (or the last accepted one)")
    group.addoption("--phase", choices=[p.value for p in Phase if p is not Phase.DRIFT],
                    dest="tunnelcheck_phase",
                    help="run the checks of this migration phase and of every earlier one (default: all)")
    group.addoption("--drift", action="store_true", dest="tunnelcheck_drift",
                    help="add the drift checks against --baseline")
    group.addoption("--tunnelcheck-config", metavar="FILE", dest="tunnelcheck_config",
                    help="YAML settings: migration intent, app ids, waivers (see config.example.yaml)")
    group.addoption("--tunnelcheck-json", metavar="FILE", dest="tunnelcheck_json",
                    help="write the results and their evidence as JSON")
    group.addoption("--record", metavar="FILE", dest="tunnelcheck_record",
                    help="with one --tenant: write what the run loaded from it as a snapshot (.json or .json.gz)")
    group.addoption("--tunnelcheck-previous", metavar="FILE", dest="tunnelcheck_previous",
                    help="an earlier --tunnelcheck-json: report which checks newly fail, newly pass, still fail, "
                    "appeared or disappeared")
    group.addoption("--tunnelcheck-history", metavar="DIR", dest="tunnelcheck_history",
                    help="a folder of earlier --tunnelcheck-json files: the HTML report charts failing checks over time")
    group.addoption("--tunnelcheck-markdown", metavar="FILE", dest="tunnelcheck_markdown",
                    help="write a short Markdown summary (for $GITHUB_STEP_SUMMARY or Azure DevOps)")
    group.addoption("--redact", action="store_true", dest="tunnelcheck_redact",
                    help="replace user principal names, user and device names with salted hashes in every "
                    "output and --record (salt: the environment variable TUNNELCHECK_REDACT_SALT)")
    group.addoption("--tunnelcheck-plan", metavar="FILE", dest="tunnelcheck_plan",
                    help="a plan.json written by tunnelcheck plan: each failing check links to its steps in "
                    "the plan's plan.md (report, Markdown summary, results JSON)")
    group.addoption("--tunnelcheck-no-catalog", action="store_true", dest="tunnelcheck_no_catalog",
                    help="run only the checks in the given paths, not the built-in catalog")


#: The files a run writes at its end (dest -> flag): checked before anything is loaded or collected.
_OUTPUTS = {"tunnelcheck_json": "--tunnelcheck-json", "tunnelcheck_markdown": "--tunnelcheck-markdown",
            "tunnelcheck_record": "--record"}


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Every file the run will write must be writable before the run starts (a live collection can take
    half an hour). Here rather than in pytest_configure: pytest-html makes its report's folder in its own
    pytest_configure, which may come first and would fail with a traceback."""
    if hasattr(config, "workerinput") or config.getoption("help", False):
        return
    try:
        for dest, flag in _OUTPUTS.items():
            if config.getoption(dest):
                check_writable(config.getoption(dest), flag)
        html = config.getoption("htmlpath", None)
        if html:  # pytest-html expands variables and ~, and makes the folders
            check_writable(Path(os.path.expandvars(html)).expanduser(), "--html", make_folders=True)
    except TunnelcheckError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_configure(config: pytest.Config) -> None:
    for platform in Platform:
        config.addinivalue_line("markers", f"{platform.value}: tunnelcheck checks of platform {platform.value}")
    for phase in Phase:
        config.addinivalue_line("markers", f"{phase.marker}: tunnelcheck checks of migration phase {phase.value}")
    for severity in Severity:
        config.addinivalue_line("markers", f"{severity.value}: tunnelcheck checks of severity {severity.value}")
    config.addinivalue_line(
        "markers", "tunnelcheck(id, title, phase, platform, severity, needs, remediation): "
        "declares an ordinary test as a tunnelcheck check")

    snapshots = config.getoption("tunnelcheck_snapshots")
    live = config.getoption("tunnelcheck_tenants")
    try:
        settings = config_file.load(config.getoption("tunnelcheck_config"))
        if not snapshots and not live:  # the config's tenants: list applies when the command line names none
            snapshots = [e.snapshot for e in settings.tenants if e.snapshot]
            live = [e.tenant for e in settings.tenants if e.tenant]
        if not snapshots and not live:
            for dest, flag in _NEEDS_A_TENANT.items():
                if config.getoption(dest):
                    raise ConfigError(flag, "needs a tenant: give --snapshot FILE or --tenant TENANT")
            return
        if live and config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
            # Each xdist worker would sign in and collect on its own, against one throttling budget.
            raise ConfigError("-n", "live tenants run in one process (Intune throttles per app): record with "
                              "--record FILE (or tunnelcheck record), then run -n on the snapshot")
        if config.getoption("tunnelcheck_record") and (len(live) != 1 or config.getoption("numprocesses", None)):
            raise ConfigError("--record", "needs exactly one --tenant and no -n (it records what this process loaded)")
        state = _build_run(config, settings, snapshots, live)
        if config.getoption("tunnelcheck_previous"):
            state.previous = summary_mod.load_results(config.getoption("tunnelcheck_previous"))
        if config.getoption("tunnelcheck_history"):
            state.history = summary_mod.load_history(config.getoption("tunnelcheck_history"))
        if config.getoption("tunnelcheck_plan"):
            from .plan import load_plan, markdown_path

            state.plan = load_plan(config.getoption("tunnelcheck_plan"))
            state.plan_markdown = markdown_path(config.getoption("tunnelcheck_plan"), state.plan)
    except TunnelcheckError as exc:
        raise pytest.UsageError(for_terminal(exc)) from None
    config.stash[RUN_KEY] = state
    config.pluginmanager.register(ResultsCollector(config, state), "tunnelcheck-results")
    if len(state.tenants) > 1 and not hasattr(config, "workerinput"):
        config.pluginmanager.register(TenantProgress(config, state), "tunnelcheck-tenant-progress")
    # With no paths given, run the catalog alone, wherever pytest was started.
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args = []
    _register_html_report(config)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Plain ``pytest`` where no test was found: say how to run the checks."""
    if config.stash.get(RUN_KEY, None) is None and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        terminalreporter.line("tunnelcheck: no checks ran: give --snapshot FILE or --tenant TENANT "
                              "(or a tenants: list in --tunnelcheck-config FILE)")


#: Options that mean nothing without a tenant (dest -> flag).
_NEEDS_A_TENANT = {
    "tunnelcheck_baseline": "--baseline", "tunnelcheck_phase": "--phase", "tunnelcheck_drift": "--drift",
    "tunnelcheck_json": "--tunnelcheck-json", "tunnelcheck_record": "--record",
    "tunnelcheck_previous": "--tunnelcheck-previous", "tunnelcheck_history": "--tunnelcheck-history",
    "tunnelcheck_markdown": "--tunnelcheck-markdown", "tunnelcheck_plan": "--tunnelcheck-plan",
}


def _build_run(config: pytest.Config, settings: config_file.Config, snapshots: list[str], live: list[str]) -> RunState:
    tenants: dict[str, Tenant] = {}
    if settings.name is not None and len(snapshots) + len(live) > 1:
        raise ConfigError(f"{config.getoption('tunnelcheck_config')}: name", f"names one tenant, but this run has "
                          f"{len(snapshots) + len(live)}: give each tenant its own config (a snapshot recorded "
                          "with a name keeps it)")
    for path in snapshots:
        _add_tenant(tenants, snapshot.load_tenant(path, label=settings.name, max_mb=settings.max_snapshot_mb,
                                                  parse=()))
    if live:
        from .sources.graph import (
            open_tenant,  # the live stack (msgraph-sdk, azure-identity) loads only when asked
        )

        for name in live:
            _add_tenant(tenants, open_tenant(name, settings))
    baseline_path = config.getoption("tunnelcheck_baseline")
    baseline = snapshot.load_tenant(baseline_path, label="baseline", max_mb=settings.max_snapshot_mb, parse=()) \
        if baseline_path else None
    if baseline is not None:
        _check_baseline_matches(baseline, tenants)
    drift = bool(config.getoption("tunnelcheck_drift"))
    if drift and baseline is None:
        raise ConfigError("--drift", "needs --baseline FILE (the snapshot to compare with)")
    if config.getoption("tunnelcheck_redact"):  # before anything is parsed, checked or reported
        from .sources.redact import RedactedSource, from_env

        redactor = from_env()
        tenants = {label: Tenant(RedactedSource(t.source, redactor)) for label, t in tenants.items()}
        baseline = Tenant(RedactedSource(baseline.source, redactor)) if baseline is not None else None

    for name, plugin in entry_point_plugins():
        if not config.pluginmanager.is_registered(plugin):
            config.pluginmanager.register(plugin, f"tunnelcheck-pack-{name}")
    builtin = builtin_checks()
    if not config.pluginmanager.is_registered(builtin):
        config.pluginmanager.register(builtin, "tunnelcheck-builtin-checks")
    catalog = Catalog(c for found in config.hook.pytest_tunnelcheck_checks() for c in found)
    phase = config.getoption("tunnelcheck_phase")
    return RunState(tenants, baseline, settings, catalog, Phase(phase) if phase else None, drift)


def _check_baseline_matches(baseline: Tenant, tenants: dict[str, Tenant]) -> None:
    """A baseline decides migration targets and earlier offers: it must be the same tenant's."""
    if len(tenants) > 1:
        raise ConfigError("--baseline", f"one baseline cannot serve {len(tenants)} tenants: run each tenant "
                          "with its own --baseline")
    (tenant,) = tenants.values()
    ids = (baseline.info.tenant_id, tenant.info.tenant_id)
    if None not in ids and ids[0].lower() != ids[1].lower():  # type: ignore[union-attr]
        raise ConfigError("--baseline", f"{baseline.info.location} is tenant {ids[0]}, but the run checks "
                          f"tenant {ids[1]} ({tenant.info.location})")


def _add_tenant(tenants: dict[str, Tenant], tenant: Tenant) -> None:
    label = tenant.info.label
    if label in tenants:
        raise ConfigError(tenant.info.location, f"names the tenant {label!r} a second time in this run")
    tenants[label] = tenant


def _register_html_report(config: pytest.Config) -> None:
    """pytest-html is optional at import time: its hooks are only registered when it is installed and
    not blocked (``-p no:html``: its hookspecs are then missing and pytest would refuse ours)."""
    if not config.pluginmanager.has_plugin("html"):
        return
    try:
        import pytest_html  # noqa: F401
    except ImportError:
        return
    from .reports import html_report

    if not config.pluginmanager.is_registered(html_report):
        config.pluginmanager.register(html_report, "tunnelcheck-html")


# ---------------------------------------------------------------------------------------------------
# Collection: the catalog as items, and phase selection over catalog and user checks alike


class CatalogCollector(pytest.Collector):
    def collect(self) -> Iterator[CheckItem]:
        # Tenant by tenant: each tenant's checks finish together (TenantProgress says so), and a live tenant
        # is loaded when its first check runs.
        state = self.config.stash[RUN_KEY]
        for label in state.tenants:
            for check in state.catalog.values():
                yield CheckItem.from_parent(self, name=f"{check.id}[{for_terminal(label)}]", check=check,
                                            label=label)


class CheckItem(pytest.Item):
    """One check on one tenant."""

    def __init__(self, *, check: Check, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.label = label
        for name in (check.platform.value, check.phase.marker, check.severity.value):
            self.add_marker(name)
        self.user_properties.append(("check_id", check.id))
        self.user_properties.append(("tenant", label))

    def setup(self) -> None:
        # Load the data and evaluate the rule here: a check whose data cannot be had (from the tenant, or
        # from the baseline when the check reads it) is a pytest *error*, never a failure or a pass.
        state = self.config.stash[RUN_KEY]
        state.tenants[self.label].prefetch(state.wanted)
        verdict = run_check(self.check, state.tenants[self.label], state.baseline, state.settings.migration)
        verdict, _ = waivers.apply(self.check.id, verdict, state.settings.waivers, dt.date.today())
        self.stash[VERDICT_KEY] = verdict
        if verdict.outcome == "error":
            raise CheckFailed(verdict)

    def runtest(self) -> None:
        verdict = self.stash[VERDICT_KEY]
        if verdict.outcome == "skipped":
            pytest.skip(for_terminal(verdict.reason))
        if verdict.outcome == "waived":
            pytest.xfail(for_terminal(verdict.reason))
        if verdict.outcome != "passed":
            raise CheckFailed(verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
                     ) -> str | TerminalRepr:
        if isinstance(excinfo.value, CheckFailed):
            return describe_failure(self.check, excinfo.value.verdict)
        return super().repr_failure(excinfo, style=style)  # a bug in a check: show it whole

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, self.name


def describe_failure(check: Check | None, verdict: Verdict) -> str:
    """The terminal text of a failed check (reason, the failing evidence rows, remediation), or of one that
    could not run (why: the remediation is for the tenant, not for missing data)."""
    lines = []
    if check is not None:
        lines.append(f"{check.id} {check.title} [{check.phase}, {check.platform}, {check.severity}]")
    if verdict.outcome == "error":
        return "\n".join(for_terminal(line) for line in [*lines, f"cannot run: {verdict.reason}"])
    lines.append(f"{verdict.outcome}: {verdict.reason}")
    lines += [f"  {f.line()}" for f in verdict.evidence if not f.ok]
    if check is not None:
        lines.append(f"remediation: {check.remediation}")
    return "\n".join(for_terminal(line) for line in lines)


def _user_check(item: pytest.Item) -> Check | None:
    """The check a user's test declares with ``@pytest.mark.tunnelcheck``: a :class:`Check` like the
    catalog's, validated the same way (tunnelcheck.check.new_check). Without ``platform`` it spans the
    tenant; without ``phase``, ``severity`` or ``title``: inventory, medium, the test's name."""
    marker = item.get_closest_marker("tunnelcheck")
    if marker is None:
        return None
    meta = dict(marker.kwargs)
    where = f"{item.nodeid}: @pytest.mark.tunnelcheck"
    if "id" not in meta:
        raise CheckDefinitionError(f"{where}: needs id=")
    func = getattr(item, "function", None) or getattr(item, "obj", None)
    if not callable(func):
        raise CheckDefinitionError(f"{where}: marks no test function")
    return new_check(func, id=meta["id"], title=meta.get("title", item.name), where=where,
                     phase=meta.get("phase", "inventory"), platform=meta.get("platform", "tenant"),
                     severity=meta.get("severity", "medium"), needs=meta.get("needs", ()),
                     remediation=meta.get("remediation", ""))


USER_CHECK_KEY = pytest.StashKey[Check]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash.get(RUN_KEY, None)
    if state is None:
        return
    if not config.getoption("tunnelcheck_no_catalog"):
        collector = CatalogCollector.from_parent(session, name="tunnelcheck", nodeid="tunnelcheck")
        catalog_items = list(collector.collect())
        # Report the collection like any other, so counts, --collect-only and xdist see these items.
        config.hook.pytest_collectreport(
            report=pytest.CollectReport(collector.nodeid, "passed", None, [*catalog_items]))
        items[:0] = catalog_items
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        phase = item.check.phase if isinstance(item, CheckItem) else None
        if not isinstance(item, CheckItem):
            try:
                meta = _user_check(item)
            except CheckDefinitionError as exc:
                raise pytest.UsageError(for_terminal(exc)) from None
            if meta is not None:
                item.stash[USER_CHECK_KEY] = meta
                phase = meta.phase
                item.user_properties.append(("check_id", meta.id))
                for name in (meta.phase.marker, meta.severity.value, meta.platform.value):
                    item.add_marker(name)
        (selected if phase is None or state.selects(phase) else deselected).append(item)
    known = {*state.catalog, *(i.stash[USER_CHECK_KEY].id for i in items if USER_CHECK_KEY in i.stash)}
    for n, waiver in enumerate(state.settings.waivers):
        if waiver.check not in known:
            where = config.getoption("tunnelcheck_config") or "config"
            raise pytest.UsageError(for_terminal(f"{where}: waivers[{n}].check: unknown check {waiver.check!r}"))
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the selected checks need, after -k/-m/--deselect had their say: a live tenant then collects
    exactly that (and group names for the evidence), in one round."""
    state = session.config.stash.get(RUN_KEY, None)
    if state is None:
        return
    state.wanted = frozenset({Resource.GROUPS}).union(*(
        item.check.needs if isinstance(item, CheckItem) else item.stash[USER_CHECK_KEY].needs
        for item in session.items if isinstance(item, CheckItem) or USER_CHECK_KEY in item.stash))
    # Snapshots were read and verified at configure; what the run needs is parsed now, once, so a malformed
    # object is one line before any check runs (and what no check reads is never parsed).
    try:
        for tenant in [*state.tenants.values(), *([state.baseline] if state.baseline is not None else [])]:
            snapshot.verify(tenant, sorted(state.wanted))
    except TunnelcheckError as exc:
        raise pytest.UsageError(for_terminal(exc)) from None


# ---------------------------------------------------------------------------------------------------
# Fixtures for users' own checks


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    state = metafunc.config.stash.get(RUN_KEY, None)
    if state is not None and "tenant" in metafunc.fixturenames:
        metafunc.parametrize("tenant", list(state.tenants), indirect=True, ids=list(state.tenants))


@pytest.fixture
def tenant(request: pytest.FixtureRequest) -> Tenant:
    """The tenant under test (one test per tenant given with --snapshot/--tenant). Resources declared in
    ``@pytest.mark.tunnelcheck(needs=[...])`` are loaded first, so missing data errors the test."""
    state = request.config.stash.get(RUN_KEY, None)
    if state is None:
        raise pytest.UsageError("the tenant fixture needs a tenant: give --snapshot FILE or --tenant TENANT")
    current: Tenant = state.tenants[request.param]
    current.prefetch(state.wanted)
    meta = request.node.stash.get(USER_CHECK_KEY, None)
    if meta:
        current.require(meta.needs)
    return current


@pytest.fixture
def baseline(request: pytest.FixtureRequest) -> Tenant | None:
    """The --baseline tenant, or None."""
    state = request.config.stash.get(RUN_KEY, None)
    return state.baseline if state else None


@pytest.fixture
def tunnelcheck_config(request: pytest.FixtureRequest) -> config_file.Config:
    """The validated --tunnelcheck-config (defaults when none was given)."""
    state = request.config.stash.get(RUN_KEY, None)
    return state.settings if state else config_file.Config()


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Record inspected objects (``evidence.ok``/``evidence.fail``); ``evidence.check()`` fails the test
    when any row failed. The rows appear in the report and the JSON results."""
    state = request.config.stash.get(RUN_KEY, None)
    label = getattr(request.node, "callspec", None)
    current = state.tenants.get(label.params.get("tenant")) if state and label else None
    collected = Evidence(current)
    request.node.stash[EVIDENCE_KEY] = collected
    return collected


# ---------------------------------------------------------------------------------------------------
# Results: a JSON-ready record rides on each report (so it crosses pytest-xdist), collected centrally


def _check_of(item: pytest.Item) -> tuple[Check, str | None] | None:
    """The check an item runs and the tenant it runs on (None: not a tunnelcheck check)."""
    if isinstance(item, CheckItem):
        return item.check, item.label
    declared = item.stash.get(USER_CHECK_KEY, None)
    if declared is None:
        return None
    callspec = getattr(item, "callspec", None)
    return declared, callspec.params.get("tenant") if callspec else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The one place a :class:`Result` is made: from the check's verdict and pytest's report of it. Its
    JSON record rides on the report (so it crosses pytest-xdist's processes)."""
    report = yield
    found = _check_of(item)
    if found is None or (call.when == "teardown" and not report.failed):
        return report
    if call.when == "setup" and report.passed:
        return report
    check, tenant = found
    verdict = item.stash.get(VERDICT_KEY, None)
    exc = call.excinfo.value if call.excinfo else None
    if isinstance(exc, CheckFailed):
        verdict = exc.verdict
    if isinstance(exc, CheckFailed) and call.when == "call" and not isinstance(item, CheckItem):
        verdict = _waive_user_check(item, check.id, report, exc.verdict)
    if isinstance(exc, CheckFailed) and call.when == "setup":
        report.longrepr = describe_failure(item.check if isinstance(item, CheckItem) else None, exc.verdict)
    if hasattr(report, "wasxfail"):
        outcome, reason = Outcome.WAIVED, verdict.reason if verdict else str(report.wasxfail)
    elif isinstance(exc, DataUnavailable):
        outcome, reason = Outcome.ERROR, str(exc)
        report.longrepr = for_terminal(f"{check.id} [{tenant}] cannot run: {exc}")
    elif report.skipped:  # the verdict's reason as it is (what pytest printed was neutralised)
        outcome, reason = Outcome.SKIPPED, verdict.reason if verdict and verdict.outcome == "skipped" else \
            _skip_reason(report)
    elif report.failed:
        outcome = Outcome.ERROR if call.when != "call" else Outcome(verdict.outcome if verdict else "failed")
        reason = verdict.reason if verdict else (exc.__class__.__name__ + (f": {exc}" if str(exc) else ""))
    else:
        outcome, reason = Outcome.PASSED, verdict.reason if verdict else "passed"
    findings = verdict.evidence if verdict else tuple(item.stash.get(EVIDENCE_KEY, Evidence()).findings)
    state = item.config.stash.get(RUN_KEY, None)
    cause = exc if isinstance(exc, DataUnavailable) else verdict.cause if verdict else None
    missing = MissingData.of(cause, _is_live(state, tenant)) if outcome is Outcome.ERROR and cause else ()
    record = Result.of(check, tenant, outcome, scrub(reason), tuple(findings), missing=missing).as_dict()
    if state is not None:  # --tunnelcheck-plan: the HTML report links the check to its plan steps
        record = with_plan_steps(state, record)
    report.tunnelcheck = record  # type: ignore[attr-defined]  # pytest reports carry plugins' attributes
    return report


def _is_live(state: RunState | None, tenant: str | None) -> bool:
    """Whether the check's tenant is read through Graph (what gets missing data differs)."""
    source = state.tenants.get(tenant) if state is not None and tenant is not None else None
    return source is not None and source.info.kind == "live"


def _waive_user_check(item: pytest.Item, check_id: str, report: pytest.TestReport, verdict: Verdict) -> Verdict:
    """Waivers apply to users' checks as to the catalog's: a fully waived failure is reported as xfailed."""
    state = item.config.stash[RUN_KEY]
    waived, _ = waivers.apply(check_id, verdict, state.settings.waivers, dt.date.today())
    if waived.outcome == "waived":
        report.outcome = "skipped"
        report.wasxfail = for_terminal(waived.reason)
        report.longrepr = None
    return waived


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


class ResultsCollector:
    """Collects each check's record on the controlling process and writes --tunnelcheck-json."""

    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = getattr(report, "tunnelcheck", None)
        if record is not None:  # a later teardown error replaces the call's result
            self.state.results[report.nodeid] = Result.from_dict(record, duration=report.duration)
        elif report.when == "teardown" and report.nodeid not in self.state.results:
            self.state.other_tests += 1  # a test that is not a check (the report counts checks)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):  # pytest-xdist workers report to the controller
            return
        for record in self.state.results.values():
            self.config.hook.pytest_tunnelcheck_result(config=self.config, result=record)
        self.state.summary = run_summary(self.state)
        path = self.config.getoption("tunnelcheck_json")
        if path:
            write_results(path, self.state, self.config.getoption("tunnelcheck_phase"))
        markdown = self.config.getoption("tunnelcheck_markdown")
        if markdown:
            summary_mod.write_text(markdown, summary_mod.render_markdown(self.state.summary))
        record = self.config.getoption("tunnelcheck_record")
        if record:  # the snapshot of what the live tenant loaded during the run
            from .sources.graph import record_loaded

            record_loaded(self.state.tenants, record)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or not self.state.settings.waivers:
            return
        used = {f.waived for r in self.state.results.values() for f in r.evidence}
        unused = [w for w in self.state.settings.waivers if waivers.describe(w) not in used]
        if unused:
            terminalreporter.section("tunnelcheck: unused waivers")
            today = dt.date.today()
            for w in unused:
                expired = " [expired]" if w.expires < today else ""
                terminalreporter.line(for_terminal(f"{waivers.describe(w)}{expired}"))


class TenantProgress:
    """With several tenants, a line on the terminal for each tenant once its checks have all run:
    ``contoso: 22 checks, 6 failed, 1 error``. The counts are the run's results (ResultsCollector's), so
    they are the outcomes of the results JSON. A tenant whose checks end the run is announced after
    pytest's own progress line; in a run that stopped early, every tenant is announced when the checks
    end, saying how many did not run. Under pytest-xdist the controller collects nothing: the checks of
    each tenant are what the first worker collected. Nothing is said by ``--collect-only`` or by a run
    in which no check ran (pytest says why)."""

    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state
        self.pending: dict[str, set[str]] = {}  # tenant -> node ids of its checks not finished yet
        self.announced: set[str] = set()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            found = _check_of(item)
            if found is not None and found[1] in self.state.tenants:
                self.pending.setdefault(found[1], set()).add(item.nodeid)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """pytest-xdist's controller: every worker collects the same node ids; the first list names each
        tenant's checks by their ids' ``[tenant]``."""
        if self.pending:
            return
        endings = {f"[{for_terminal(label)}]": label for label in self.state.tenants}
        for nodeid in ids:
            label = next((endings[e] for e in endings if nodeid.endswith(e)), None)
            if label is not None:
                self.pending.setdefault(label, set()).add(nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        for label, nodes in self.pending.items():
            if nodeid in nodes:
                nodes.discard(nodeid)
                if not nodes and any(self.pending.values()):  # the last tenant waits for pytest's [100%]
                    self._announce([label])

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # around the terminal's: after its [100%]
    def pytest_runtestloop(self, session: pytest.Session) -> Iterator[Any]:
        try:
            return (yield)
        finally:
            if self.state.results and not self.config.option.collectonly:
                self._announce(list(self.state.tenants))

    def _announce(self, labels: list[str]) -> None:
        """A line for each of these tenants not announced yet, with results or checks that did not run."""
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        lines = []
        for label in labels:
            results = [r for r in self.state.results.values() if r.tenant == label]
            not_run = len(self.pending.get(label, ()))
            if label not in self.announced and (results or not_run):
                self.announced.add(label)
                lines.append(tenant_progress(label, results, not_run))
        if reporter is None or not lines:
            return
        if reporter.currentfspath is None:  # pytest-xdist leaves its progress line open without saying so
            reporter.write("\n")
        for line in lines:
            reporter.write_line(for_terminal(line))


def tenant_progress(label: str, results: list[Result], not_run: int = 0) -> str:
    """"contoso: 22 checks, 6 failed, 1 error" (every outcome but passed that some check has), "all passed"
    when none has, and how many checks did not run when the run stopped before them."""
    if not results:
        return f"{label}: none of its {counted(not_run, 'check')} ran"
    counts = {o: sum(r.outcome.value == o for r in results) for o in OUTCOMES}
    shown = [counted(counts["error"], "error") if o == "error" else f"{counts[o]} {o}"
             for o in OUTCOMES if o != "passed" and counts[o]]
    line = f"{label}: {counted(len(results), 'check')}, " + (", ".join(shown) if shown else "all passed")
    return line + (f" ({counted(not_run, 'check')} did not run)" if not_run else "")
