"""The public API (``tunnelcheck.__all__``) and the dependency rules between the layers.

The names a check author uses are pinned: removing or renaming one breaks their check packs, so it is a
decision, not an accident. The built-in checks are written with nothing else, which proves the API is
enough. The layers keep their direction: loading the catalog (``tunnelcheck checks``, a user's conftest)
must not load a source (the Graph SDK, the snapshot reader) or argparse, and the model knows nothing of
the layers built on it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import tunnelcheck

ROOT = Path(__file__).resolve().parent.parent

PUBLIC = {
    # the check API
    "Check", "Context", "Evidence", "Finding", "Phase", "Platform", "Severity", "Verdict", "check", "Resource",
    "Config", "MigrationConfig",
    # the tenant and its model
    "Tenant", "ALL", "AppAssignment", "AppKind", "AuditEvent", "Client", "ConnectionType", "Coverage",
    "CustomSettings", "DetectedApp", "DeviceConfiguration", "Group", "HealthStatus", "Intent", "ManagedDevice",
    "MobileApp", "ProfileKind", "Proxy", "StatusOverview", "Target", "TargetKind", "TunnelConfiguration",
    "TunnelProfile", "TunnelServer", "TunnelSite", "Unclassified",
    # the migration's terms (docs/terms.md)
    "ANDROID_KINDS", "IOS_KINDS", "CoveringProfiles", "StandaloneProfile", "covered_by_any",
    "covering_defender_profiles", "defender_apps", "defender_profiles", "in_scope_standalone", "kinds_of",
    "profiles_of_kinds", "replacements", "setting_problems", "standalone_apps", "standalone_profile_ids",
    "unique_targets",
    # two tenants compared
    "SITE", "Names", "ObjectDiff", "PropertyChange", "TenantDiff", "app_diffs", "gateway_diffs", "profile_diffs",
    # errors
    "CheckDefinitionError", "ConfigError", "DataUnavailable", "MalformedData", "PermissionDenied", "SnapshotError",
    "TunnelcheckError", "Unclassifiable",
    # the words of a reason
    "clauses", "counted", "every", "listed", "named",
    "__version__",
}


def test_the_public_api_is_pinned() -> None:
    assert set(tunnelcheck.__all__) == PUBLIC
    assert all(hasattr(tunnelcheck, name) for name in tunnelcheck.__all__)


def _imports(path: Path) -> list[tuple[str, int]]:
    """(module, level) of every import in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
        elif isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
    return found


def test_the_built_in_checks_use_only_the_public_api() -> None:
    checks = [p for p in (ROOT / "checks").glob("*.py") if p.name != "__init__.py"]
    assert checks
    for path in checks:
        for module, level in _imports(path):
            internal = level == 0 and module.startswith("tunnelcheck.")
            assert not internal, f"{path.name} imports {module}: the built-in checks use `from tunnelcheck import …`"


def _package(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts if parts[-1] == "__init__" else parts[:-1]


def _tunnelcheck_imports(path: Path) -> set[str]:
    """The tunnelcheck modules ``path`` imports, relative imports resolved (``from . import x`` as ``pkg.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            package = _package(path)
            base = ".".join(package[: len(package) - node.level + 1] + [node.module or ""]).strip(".") \
                if node.level else node.module or ""
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m == "tunnelcheck" or m.startswith("tunnelcheck.")}


#: The layers, bottom up, by module prefix. A module may import its own layer and the layers listed
#: for it; ``tunnelcheck.__init__`` (the public API) gathers the layers below the sources.
BASE = ("tunnelcheck.errors", "tunnelcheck.scrub", "tunnelcheck.untrusted", "tunnelcheck.files", "tunnelcheck.wording")
RULES = {
    "model": (("tunnelcheck.model",), ("tunnelcheck.errors", "tunnelcheck.scrub")),
    "sources": (("tunnelcheck.sources",), ("tunnelcheck.checks", "tunnelcheck.reports", "tunnelcheck.cli",
                                            "tunnelcheck.plugin", "tunnelcheck.registry", "tunnelcheck.run")),
    "reports": (("tunnelcheck.reports",), ("tunnelcheck.sources", "tunnelcheck.cli", "tunnelcheck.plugin")),
}


def _modules(prefix: str) -> list[Path]:
    folder = ROOT / Path(*prefix.split("."))
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]


def _is(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_model_imports_only_the_errors() -> None:
    own, allowed = RULES["model"]
    for path in _modules("tunnelcheck.model"):
        for module in _tunnelcheck_imports(path):
            assert _is(module, own + allowed), f"{path.relative_to(ROOT)} imports {module}"


def test_sources_import_neither_checks_nor_reports() -> None:
    _, forbidden = RULES["sources"]
    paths = _modules("tunnelcheck.sources")
    assert len(paths) > 5
    for path in paths:
        for module in _tunnelcheck_imports(path):
            assert not _is(module, forbidden), f"{path.relative_to(ROOT)} imports {module}"


def test_reports_read_results_not_sources() -> None:
    _, forbidden = RULES["reports"]
    for path in _modules("tunnelcheck.reports"):
        for module in _tunnelcheck_imports(path):
            assert not _is(module, forbidden), f"{path.relative_to(ROOT)} imports {module}"


def test_only_the_cli_imports_the_cli() -> None:
    for path in (ROOT / "tunnelcheck").rglob("*.py"):
        if "cli" in path.relative_to(ROOT).parts or path.name == "__main__.py":  # entry points start the CLI
            continue
        for module in _tunnelcheck_imports(path):
            assert not _is(module, ("tunnelcheck.cli",)), f"{path.relative_to(ROOT)} imports {module}"


def test_the_base_imports_nothing_above_it() -> None:
    for prefix in BASE:
        for path in _modules(prefix):
            for module in _tunnelcheck_imports(path):
                assert _is(module, BASE), f"{path.relative_to(ROOT)} imports {module}"


def test_the_comparison_neither_parses_arguments_nor_reads_files() -> None:
    for name in ("drift.py", "diff.py", "migration.py", "tenant.py"):
        path = ROOT / "tunnelcheck" / name
        modules = {m for m, _ in _imports(path)} | _tunnelcheck_imports(path)
        assert not modules & {"argparse", "sys"}, (name, modules)
        assert not any(_is(m, ("tunnelcheck.sources", "tunnelcheck.reports")) for m in modules), (name, modules)


#: The modules of tunnelcheck/plan/, bottom up: the plan's data, the prediction, plan.json, the derivation,
#: plan.md. The package's __init__ gathers their public names.
PLAN_MODULES = ("steps", "predict", "document", "derive", "markdown")


def test_the_plan_modules_import_one_another_one_way() -> None:
    """Each module of tunnelcheck/plan/ imports, as it loads, only the modules before it, and none imports the
    package's __init__: no cycle. An import for types only (under TYPE_CHECKING), or inside a function, is
    not run as the module loads, so it is not one of them (steps.py names the prediction's _World for its
    types)."""
    folder = ROOT / "tunnelcheck" / "plan"
    assert sorted(p.stem for p in folder.glob("*.py")) == sorted([*PLAN_MODULES, "__init__"])
    for i, name in enumerate(PLAN_MODULES):
        for node in ast.parse((folder / f"{name}.py").read_text(encoding="utf-8")).body:  # module level only
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            if node.level == 1:
                imported = module or "__init__"
            elif node.level == 0 and (module == "tunnelcheck.plan" or module.startswith("tunnelcheck.plan.")):
                imported = module.removeprefix("tunnelcheck.plan").lstrip(".") or "__init__"
            else:
                continue
            assert imported in PLAN_MODULES[:i], f"tunnelcheck/plan/{name}.py imports the plan's {imported}"


def test_the_live_collector_knows_no_migration_setting() -> None:
    """A recording must not depend on the config it was recorded with: the collector is handed the
    detected apps whose devices to list (and notes them in provenance), it reads no migration setting."""
    path = ROOT / "tunnelcheck" / "sources" / "graph" / "collector.py"
    imported = _tunnelcheck_imports(path)
    assert "tunnelcheck.config.MigrationConfig" not in imported
    names = {node.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute)}
    assert "migration" not in names and "MigrationConfig" not in path.read_text(encoding="utf-8")


def test_loading_the_catalog_loads_no_source_and_no_argparse() -> None:
    code = ("import json, sys; from tunnelcheck.registry import Catalog; Catalog.builtin(); "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True).stdout))
    forbidden = ("argparse", "msgraph", "azure.identity", "httpx", "tunnelcheck.sources", "tunnelcheck.reports",
                 "tunnelcheck.plugin", "tunnelcheck.cli")
    assert not [m for m in loaded if _is(m, forbidden)]
    assert "tunnelcheck.checks.profiles" in loaded  # the catalog did load


#: Modules outside tunnelcheck/cli/ that may print, each with its reason.
MAY_PRINT = {
    "tunnelcheck/sources/graph/auth.py": "the device-code sign-in prompt: azure-identity calls it while it waits for the "
                                 "person signing in, during a pytest run as during `tunnelcheck record`, so it "
                                 "cannot be handed back to a command as a value",
}


def _command_line_uses(path: Path) -> list[str]:
    """What in ``path`` belongs to a command line: importing argparse, calling print() or sys.exit()."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "argparse" for a in node.names) \
                or isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("argparse"):
            found.append(f"line {node.lineno}: imports argparse")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(f"line {node.lineno}: print()")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "exit" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "sys":
            found.append(f"line {node.lineno}: sys.exit()")
    return found


def test_only_the_cli_parses_arguments_and_prints() -> None:
    """Domain modules return values or raise errors; tunnelcheck/cli/ (one module per command) turns them into
    output, one-line errors and exit statuses. The pytest plugin's options go through pytest's own parser."""
    modules = sorted([*(ROOT / "tunnelcheck").rglob("*.py"), *(ROOT / "checks").rglob("*.py")])
    cli = ROOT / "tunnelcheck" / "cli"
    assert len(modules) > 40 and any(p.is_relative_to(cli) for p in modules)
    assert [name for name in MAY_PRINT if not (ROOT / name).is_file()] == [], "MAY_PRINT names a module moved away"
    offenders = {}
    for path in modules:
        name = path.relative_to(ROOT).as_posix()
        if path.is_relative_to(cli):
            continue
        uses = _command_line_uses(path)
        if path.name == "__main__.py":  # `python -m X`: its exit status is what it is for
            uses = [u for u in uses if not u.endswith("sys.exit()")]
        if name in MAY_PRINT:
            assert any(u.endswith("print()") for u in uses), f"{name} no longer prints: drop it from MAY_PRINT"
            uses = [u for u in uses if not u.endswith("print()")]
        if uses:
            offenders[name] = uses
    assert offenders == {}, "command-line code outside tunnelcheck/cli/"
    assert _command_line_uses(cli / "record.py"), "the check finds what it looks for"
