"""The fleet CI templates end to end against emulated tenants (loopback only).

ci/github/tunnelcheck-fleet.yml and ci/azure-devops/tunnelcheck-fleet.yml are read as they are and run by
a small runner that does what GitHub Actions and Azure Pipelines would do with them: it expands the tenant
list into one job per tenant (the matrix from the list job's output; the compile-time ``each``), evaluates
the expressions the templates use, runs every shell step as written (ci/nightly.sh per tenant, ci/fleet.sh
to gather), and stands in for the actions and tasks (checkout, cache, artifacts, the federated token)
with folders. An action or task the runner does not know fails the test, so the templates cannot drift
from what is run here.

Four tenants served at once by one Graph emulator, as Entra and Graph serve many tenants: each job signs
in to its own tenant (one of them by its domain) and reads that tenant's data alone. Three are at
different stages of the migration, signing in by workload identity federation (one of them with its own
app registration, consented in that tenant only), and one never consented to the app its entry names, so
its job records nothing. Two nightly rounds with one change in one tenant between them: the second fleet
page lists exactly that tenant as newly failing.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_ci_install import INSTALL
from test_nightly import _assign_field as assign_field

from tunnelcheck.emulator import EmulatedTenant, Emulator, TenantSpec
from tunnelcheck.sources import snapshot

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tunnelcheck" / "demo"
GITHUB = ROOT / "ci" / "github" / "tunnelcheck-fleet.yml"
AZURE = ROOT / "ci" / "azure-devops" / "tunnelcheck-fleet.yml"
OWN_APP = "0f0f0f0f-1111-4222-8333-444455556666"  # tenant "beta" has its own app registration
UNCONSENTED = "00000000-0000-4000-8000-00000000dead"  # tenant "delta" never consented to this one


# ---------------------------------------------------------------------------------------------------
# Expressions: the subset the templates use (paths, 'strings', ||, and a few functions)


_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<name>[A-Za-z_][\w.\-]*)|(?P<op>\|\||[(),]))")


def evaluate(expr: str, context: dict[str, Any]) -> Any:
    tokens = [m for m in _TOKEN.finditer(expr)]
    assert "".join(m.group(0) for m in tokens).strip() == expr.strip(), f"the runner cannot read ${{{{ {expr} }}}}"
    items = [(m.lastgroup, m.group(m.lastgroup or "")) for m in tokens]
    position = 0

    def call(name: str, args: list[Any]) -> Any:
        functions = {
            "replace": lambda s, a, b: str(s).replace(a, b),
            "coalesce": lambda *v: next((x for x in v if x not in (None, "")), None),
            "convertToJson": lambda v: json.dumps(v, indent=2),
            "format": lambda f, *v: re.sub(r"\{(\d+)\}", lambda m: str(v[int(m[1])]), f),
        }
        assert name in functions, f"the runner does not know the function {name}()"
        return functions[name](*args)

    def primary() -> Any:
        nonlocal position
        kind, text = items[position]
        position += 1
        if kind == "str":
            return text[1:-1].replace("''", "'")
        assert kind == "name", expr
        if position < len(items) and items[position][1] == "(":
            position += 1
            args = []
            while items[position][1] != ")":
                args.append(alternatives())
                if items[position][1] == ",":
                    position += 1
            position += 1
            return call(text, args)
        value: Any = context
        for part in text.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def alternatives() -> Any:
        nonlocal position
        value = primary()
        while position < len(items) and items[position][1] == "||":
            position += 1
            other = primary()
            value = value or other
        return value

    result = alternatives()
    assert position == len(items), expr
    return result


_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def expand(value: Any, context: dict[str, Any]) -> Any:
    """``${{ ... }}`` in every string of ``value``: a whole-string expression keeps its value's type."""
    if isinstance(value, dict):
        return {expand(k, context): expand(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, context) for v in value]
    if isinstance(value, str):
        whole = _EXPR.fullmatch(value.strip())
        if whole:
            result = evaluate(whole.group(1), context)
            return "" if result is None else result
        return _EXPR.sub(lambda m: str(evaluate(m.group(1), context) or ""), value)
    return value


# ---------------------------------------------------------------------------------------------------
# The world the jobs run in: the repository, the CI system's cache and artifacts, the identities


@dataclass
class Tenant:
    name: str
    served: EmulatedTenant  # its data and names in the one emulator
    client_id: str | None = None  # its own app registration (None: the shared multi-tenant app)
    by_domain: bool = False  # its entry names it by its domain, not its id

    @property
    def listed(self) -> str:
        return self.served.domain if self.by_domain else self.served.tenant_id

    @property
    def entry(self) -> dict[str, Any]:
        return {"name": self.name, "tenant": self.listed, **({"client_id": self.client_id} if self.client_id
                                                              else {})}


@dataclass
class World:
    root: Path
    emu: Emulator  # serving every tenant
    tenants: list[Tenant]
    shared_app: str
    run_id: int = 1000
    artifacts: dict[int, dict[str, Path]] = field(default_factory=dict)
    cache: dict[str, Path] = field(default_factory=dict)  # key -> saved folder, in saving order
    logs: list[str] = field(default_factory=list)

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    def workspace(self, job: str) -> Path:
        path = self.root / f"run-{self.run_id}" / job
        path.mkdir(parents=True)
        return path

    def env(self, workspace: Path) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("AZURE_", "MSAL_", "IDENTITY_", "GITHUB_", "TF_BUILD", "TUNNELCHECK_"))
                and k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CI", "PYTEST_ADDOPTS")}
        return base | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                       "HOME": str(workspace)}

    def shell(self, script: str, workspace: Path, env: dict[str, str], what: str) -> int:
        run = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=workspace,
                             env=env, capture_output=True, text=True, timeout=300, check=False)
        self.logs.append(f"## {what} (exit {run.returncode})\n{run.stdout}\n{run.stderr}")
        return run.returncode

    def checkout(self, workspace: Path) -> None:
        shutil.copytree(self.repo, workspace, dirs_exist_ok=True)

    def upload(self, name: str, path: Path) -> None:
        assert path.is_dir(), f"nothing to upload at {path}"
        target = self.root / "artifacts" / str(self.run_id) / name
        shutil.copytree(path, target)
        self.artifacts.setdefault(self.run_id, {})[name] = target

    def artifact(self, name: str, run_id: int | None = None) -> Path | None:
        return self.artifacts.get(self.run_id if run_id is None else run_id, {}).get(name)

    def download(self, pattern: str, target: Path, run_id: int | None = None) -> None:
        """Each artifact matching ``pattern`` into ``target/<its name>`` (both CI systems do so)."""
        for name, path in self.artifacts.get(self.run_id if run_id is None else run_id, {}).items():
            if fnmatch.fnmatch(name, pattern):
                shutil.copytree(path, target / name)

    def tenant(self, name: str) -> Tenant:
        return next(t for t in self.tenants if t.name == name)

    def token_file(self, workspace: Path) -> str:
        """What the federated-token step leaves: the CI system's token, here the emulator's (the federated
        credential is the app's: the same token signs in to every tenant that consented to the app)."""
        return self.emu.write_federated_token_file(workspace.parent / f"oidc-{workspace.name}")


# ---------------------------------------------------------------------------------------------------
# GitHub Actions


class GitHubRunner:
    def __init__(self, world: World) -> None:
        self.world = world
        self.workflow = yaml.safe_load(GITHUB.read_text("utf-8"))
        self.results: dict[str, str] = {}

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"vars": {"TUNNELCHECK_CLIENT_ID": self.world.shared_app}, "github": {"run_id": self.world.run_id},
                **extra}

    def run(self) -> dict[str, Any]:
        jobs = self.workflow["jobs"]
        outputs = self.job("tenants", jobs["tenants"], self.context())
        tenants = json.loads(outputs["list"])
        nightly = jobs["nightly"]
        assert nightly["strategy"]["matrix"]["tenant"] == "${{ fromJSON(needs.tenants.outputs.list) }}"
        assert nightly["strategy"]["fail-fast"] is False
        for entry in tenants:
            self.job(f"nightly-{entry['name']}", nightly, self.context(matrix={"tenant": entry}),
                     tenant=self.world.tenant(entry["name"]))
        fleet = jobs["fleet"]
        assert fleet["needs"] == ["tenants", "nightly"]
        assert fleet["if"] == "${{ !cancelled() && needs.tenants.result == 'success' }}"
        self.job("fleet", fleet, self.context())
        return {"list": tenants}

    def job(self, name: str, job: dict[str, Any], context: dict[str, Any], tenant: Tenant | None = None
            ) -> dict[str, str]:
        world = self.world
        workspace = world.workspace(name)
        env = world.env(workspace) | expand({**self.workflow.get("env", {}), **job.get("env", {})}, context)
        outputs: dict[str, str] = {}
        failed = False
        for step in job["steps"]:
            step = expand(step, context)
            condition = step.get("if", "success()")
            if failed and "always()" not in condition:
                continue
            status = self.step(step, workspace, env, outputs, tenant, name)
            failed = failed or status != 0
        self.results[name] = "failure" if failed else "success"
        return outputs

    def step(self, step: dict[str, Any], workspace: Path, env: dict[str, str], outputs: dict[str, str],
             tenant: Tenant | None, job: str) -> int:
        world, uses, args = self.world, step.get("uses", ""), step.get("with", {})
        action = uses.split("@")[0]
        if action == "actions/checkout":
            world.checkout(workspace)
        elif action == "actions/setup-python":
            pass  # this interpreter
        elif action == "actions/cache/restore":
            keys = [args["key"], *str(args.get("restore-keys", "")).split()]
            found = next((path for key in keys for saved, path in reversed(world.cache.items())
                          if saved == key or (key != args["key"] and saved.startswith(key))), None)
            if found is not None:
                shutil.copytree(found, workspace / args["path"], dirs_exist_ok=True)
        elif action == "actions/cache/save":
            if (workspace / args["path"]).is_dir() and args["key"] not in world.cache:
                world.cache[args["key"]] = shutil.copytree(workspace / args["path"],
                                                           world.root / "cache" / args["key"])
        elif action == "actions/upload-artifact":
            world.upload(args["name"], workspace / args["path"])
        elif action == "actions/download-artifact":
            assert "merge-multiple" not in args  # one folder per artifact: ci/fleet.sh finds each tenant's
            world.download(args["pattern"], workspace / args["path"])
        elif uses:
            raise AssertionError(f"the runner does not know the action {uses}")
        elif step.get("name") == "Install tunnelcheck":
            assert step["run"].splitlines() == INSTALL["github"], step["run"]
            assert env["TUNNELCHECK_SPEC"]  # installed already: this interpreter's
        elif "ACTIONS_ID_TOKEN_REQUEST_URL" in step["run"]:
            assert 'echo "AZURE_FEDERATED_TOKEN_FILE=' in step["run"] and tenant is not None
            env["AZURE_FEDERATED_TOKEN_FILE"] = world.token_file(workspace)
        else:
            output = workspace.parent / f"{workspace.name}.output"
            summary = workspace.parent / f"{workspace.name}.summary.md"
            status = world.shell(step["run"], workspace, env | step.get("env", {}) | {
                "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}, f"{job}: {step.get('name')}")
            if output.exists() and "id" in step:
                outputs.update(line.split("=", 1) for line in output.read_text("utf-8").splitlines() if "=" in line)
            return status
        return 0


# ---------------------------------------------------------------------------------------------------
# Azure Pipelines


class AzureRunner:
    def __init__(self, world: World) -> None:
        self.world = world
        self.pipeline = yaml.safe_load(AZURE.read_text("utf-8"))
        self.results: dict[str, str] = {}
        # The service connections: the shared one for the multi-tenant app, and beta's own.
        self.connections = {self.pipeline["variables"]["SERVICE_CONNECTION"]: world.shared_app,
                            "tunnelcheck-graph-beta": OWN_APP, "tunnelcheck-graph-delta": UNCONSENTED}

    def tenants(self) -> list[dict[str, Any]]:
        """The parameter's list, as a user edits it: one entry per tenant, its own connection when it has one."""
        listed = []
        for t in self.world.tenants:
            entry = {"name": t.name, "tenant": t.listed}
            if t.client_id:
                entry["serviceConnection"] = f"tunnelcheck-graph-{t.name}"
            listed.append(entry)
        return listed

    def run(self) -> dict[str, Any]:
        (parameter,) = self.pipeline["parameters"]
        assert parameter["name"] == "tenants" and parameter["type"] == "object"
        context = {"parameters": {"tenants": self.tenants()}, "variables": self.pipeline["variables"]}
        stages = {s["stage"]: s for s in self.pipeline["stages"]}
        assert list(stages) == ["tenants", "fleet"]
        (each,) = stages["tenants"]["jobs"]
        ((key, template),) = each.items()
        assert key == "${{ each t in parameters.tenants }}"
        for entry in context["parameters"]["tenants"]:
            (job,) = expand(copy.deepcopy(template), context | {"t": entry})
            assert re.fullmatch(r"[A-Za-z_]\w*", job["job"]), job["job"]
            self.job(job, context, tenant=self.world.tenant(entry["name"]))
        fleet = stages["fleet"]
        assert fleet["dependsOn"] == "tenants" and fleet["condition"] == "not(canceled())"
        for job in fleet["jobs"]:
            self.job(expand(job, context), context)
        return {}

    def job(self, job: dict[str, Any], context: dict[str, Any], tenant: Tenant | None = None) -> None:
        world = self.world
        workspace = world.workspace(job["job"])
        variables = {**self.pipeline["variables"], **job.get("variables", {}),
                     "Agent.TempDirectory": str(workspace.parent / f"{workspace.name}.tmp"),
                     "System.TeamProjectId": "project", "System.DefinitionId": "7",
                     "Build.SourceBranch": "refs/heads/main"}
        Path(variables["Agent.TempDirectory"]).mkdir()
        env = world.env(workspace) | {k.replace(".", "_").upper(): str(v) for k, v in variables.items()} | {
            "TF_BUILD": "True"}
        failed = False
        for step in job["steps"]:
            condition = step.get("condition", "succeeded()")
            assert condition in ("succeeded()", "succeededOrFailed()"), condition
            if failed and condition == "succeeded()":
                continue
            status = self.step(step, workspace, env, variables, tenant, job["job"])
            failed = failed or (status != 0 and not step.get("continueOnError"))
        self.results[job["job"]] = "failed" if failed else "succeeded"

    def step(self, step: dict[str, Any], workspace: Path, env: dict[str, str], variables: dict[str, Any],
             tenant: Tenant | None, job: str) -> int:
        world = self.world

        def macros(text: str) -> str:
            return re.sub(r"\$\(([\w.]+)\)", lambda m: str(variables[m[1]]), text)

        task, inputs = step.get("task", ""), {k: macros(str(v)) for k, v in step.get("inputs", {}).items()}
        if step.get("checkout") == "self":
            world.checkout(workspace)
        elif task == "UsePythonVersion@0":
            pass
        elif "script" in step and step.get("displayName") == "Install tunnelcheck":
            assert step["script"].splitlines() == INSTALL["azure"], step["script"]
        elif "script" in step:
            return world.shell(macros(step["script"]), workspace, env | step.get("env", {}), f"{job}: script")
        elif task == "DownloadPipelineArtifact@2":
            target = workspace / inputs["targetPath"]
            if inputs["buildType"] == "current":
                assert inputs["itemPattern"].endswith("/**")
                world.download(inputs["itemPattern"].removesuffix("/**"), target)
            else:  # the latest run of this pipeline: the previous one here
                assert inputs["buildVersionToDownload"] == "latestFromBranch" and inputs["allowFailedBuilds"] == "True"
                found = world.artifact(inputs["artifactName"], world.run_id - 1)
                if found is None:
                    return 1  # continueOnError: the first run finds none
                shutil.copytree(found, target, dirs_exist_ok=True)
        elif task == "AzureCLI@2":
            assert tenant is not None and inputs["addSpnToEnvironment"] == "True"
            client = self.connections[inputs["azureSubscription"]]
            token = world.token_file(workspace)
            return world.shell(inputs["inlineScript"], workspace, env | {
                "idToken": Path(token).read_text("ascii"), "servicePrincipalId": client, "tenantId": "home-tenant"},
                f"{job}: AzureCLI")
        elif task == "PublishTestResults@2":
            assert (workspace / inputs["testResultsFiles"]).parent.is_dir()
        elif task == "PublishPipelineArtifact@1":
            if not (workspace / inputs["targetPath"]).is_dir():
                return 1
            world.upload(inputs["artifact"], workspace / inputs["targetPath"])
        else:
            raise AssertionError(f"the runner does not know the step {step}")
        return 0


# ---------------------------------------------------------------------------------------------------
# The tenants


def _document(tenant_id: str, *, healthy: bool, field_assigned: bool) -> dict[str, Any]:
    doc = json.loads((DEMO / "contoso.json").read_text("utf-8"))
    doc["tenant_id"] = tenant_id
    resources = doc["resources"]
    if healthy:
        for site in resources["deviceManagement/microsoftTunnelSites"]:
            for server in site["microsoftTunnelServers"]:
                server["tunnelServerHealthStatus"] = "healthy"
    if field_assigned:
        assign_field(resources)  # the Android Defender app, required for the Field group too
    return doc


#: name -> (tenant id, healthy gateway, Defender app for the Field group): the stage each tenant is at.
TENANTS = {
    "alpha": ("a1a1a1a1-0000-4000-8000-000000000001", False, False),  # a server warns: behind at inventory
    "beta": ("b2b2b2b2-0000-4000-8000-000000000002", True, False),  # Field lacks Defender: defender-deployed
    "gamma": ("c3c3c3c3-0000-4000-8000-000000000003", True, True),  # profiles to create: profiles-created
    "delta": ("d4d4d4d4-0000-4000-8000-000000000004", True, True),  # never consented: no results
}
EXPECTED_BEHIND = {"alpha": "inventory", "beta": "defender-deployed", "gamma": "profiles-created"}
NAMED = ("alpha", "beta")  # tenants whose config gives their name (README "Naming a tenant")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    specs = [TenantSpec(_document(tenant_id, healthy=healthy, field_assigned=field_assigned),
                        domain=f"{name}.onmicrosoft.com", client_ids=(OWN_APP,) if name == "beta" else None)
             for name, (tenant_id, healthy, field_assigned) in TENANTS.items()]
    with Emulator(specs) as emu:
        tenants = [Tenant(name, emu.tenant(tenant_id), OWN_APP if name == "beta" else UNCONSENTED if name == "delta"
                          else None, by_domain=name == "gamma") for name, (tenant_id, _, _) in TENANTS.items()]
        repo = tmp_path / "repo"
        for t in tenants:
            folder = repo / "tenants" / t.name
            folder.mkdir(parents=True)
            (folder / "tunnelcheck.yaml").write_text(
                (f"name: {t.name}\n" if t.name in NAMED else "")  # the others: named by their tenant id
                + "migration:\n  defender_features: false\n"
                f"graph_url: {emu.graph_url}\nauthority: {emu.authority}\nca_bundle: {emu.ca_path}\n"
                "auth:\n  method: workload-identity\n", encoding="utf-8")
            baseline = json.loads((DEMO / "baseline.json").read_text("utf-8")) | {"tenant_id": t.served.tenant_id}
            snapshot.write(folder / "accepted.json.gz", baseline)  # the pre-migration snapshot, accepted
        (repo / "tenants.json").write_text(json.dumps([t.entry for t in tenants], indent=2), encoding="utf-8")
        (repo / "ci").mkdir()
        for script in ("nightly.sh", "fleet.sh"):
            shutil.copy(ROOT / "ci" / script, repo / "ci" / script)
        yield World(tmp_path, emu, tenants, emu.client_id)


class _Page(HTMLParser):
    """The fleet page's rows (their data- attributes) and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self.links: list[str] = []
        self.newly: list[str] = []
        self._in_newly = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-rank" in a:
            self.rows.append(a)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "table" and a.get("id") == "tc-newly-failing":
            self._in_newly = True
        if tag == "tr" and self._in_newly and "data-key" in a:
            self.newly.append(a["data-key"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_newly = False


def _page(path: Path) -> _Page:
    parsed = _Page()
    parsed.feed(path.read_text("utf-8"))
    return parsed


def _gamma_warns(world: World) -> None:
    """The one change between the rounds: a gamma gateway server reports a warning again."""
    for site in world.tenant("gamma").served.resources["deviceManagement/microsoftTunnelSites"]:
        site["microsoftTunnelServers"][1]["tunnelServerHealthStatus"] = "warning"


def _gateway_health(resources: Any) -> list[str]:
    return [server.get("tunnelServerHealthStatus") for site in resources["deviceManagement/microsoftTunnelSites"]
            for server in site["microsoftTunnelServers"]]


def _assert_each_job_read_its_own_tenant(world: World, artifacts: dict[str, Path], log: str) -> None:
    """Every job signed in to the one emulator by the name its entry lists (gamma by its domain), and
    recorded its own tenant's data; delta's app is not consented in delta, as Entra says."""
    signed_in = {r.path.split("/")[1]: r.status for r in world.emu.requests if r.path.endswith("/oauth2/v2.0/token")}
    assert signed_in == {t.listed: 400 if t.name == "delta" else 200 for t in world.tenants}, signed_in
    assert "AADSTS700016" in log and world.tenant("delta").served.tenant_id in log
    for t in world.tenants[:3]:
        [recorded_file] = artifacts[f"tunnelcheck-tenant-{t.name}"].glob("*.json.gz")  # named after the tenant
        recorded = snapshot.read(recorded_file)
        assert recorded.tenant_id == t.served.tenant_id
        assert _gateway_health(recorded.resources) == _gateway_health(t.served.resources), t.name
    # ... and their data differ: alpha's gateway warns, beta's does not
    assert "warning" in _gateway_health(world.tenant("alpha").served.resources)
    assert "warning" not in _gateway_health(world.tenant("beta").served.resources)


@pytest.mark.parametrize("system", ["github", "azure"])
def test_fleet_template_end_to_end(world: World, system: str) -> None:
    runner: GitHubRunner | AzureRunner = GitHubRunner(world) if system == "github" else AzureRunner(world)
    ids = {name: f"id:{tenant_id}" for name, (tenant_id, _, _) in TENANTS.items()}

    # Round 1: every tenant's nightly, then the fleet.
    world.run_id = 1001
    runner.run()
    log = "\n".join(world.logs)
    fleet_job = "fleet"
    per_tenant = {k: v for k, v in runner.results.items() if k != fleet_job and k != "tenants"}
    assert len(per_tenant) == 4 and all(v in ("failure", "failed") for v in per_tenant.values()), log
    assert runner.results[fleet_job] in ("failure", "failed"), log  # delta has no results
    artifacts = world.artifacts[1001]
    assert sorted(n for n in artifacts if n.startswith("tunnelcheck-tenant-")) == \
        [f"tunnelcheck-tenant-{n}" for n in sorted(TENANTS)]
    assert not (artifacts["tunnelcheck-tenant-delta"] / "results.json").exists()  # its sign-in failed
    _assert_each_job_read_its_own_tenant(world, artifacts, log)
    site = artifacts["tunnelcheck-fleet"]
    document = json.loads((site / "fleet.json").read_text("utf-8"))
    rows = document["tenants"]
    assert [r["key"] for r in rows] == [
        "file:fleet/results/tunnelcheck-tenant-delta/results.json", ids["alpha"], ids["beta"], ids["gamma"]], log
    assert rows[0]["unreadable"] == "no such file (the tenant's run wrote no results)"
    assert {r["key"]: r["behind"] for r in rows[1:]} == {ids[n]: b for n, b in EXPECTED_BEHIND.items()}
    # Each row is named as its tenant's config names it, else by the tenant it was given (gamma: its domain).
    assert [r["name"] for r in rows[1:]] == ["alpha", "beta", world.tenant("gamma").listed]
    assert all(r["phases"]["drift"]["status"] == "failing" for r in rows[1:])  # the baseline is pre-migration
    assert "changes" not in document

    # The page: every tenant a row, each read tenant linked to its own report inside the artifact.
    page = _page(site / "fleet.html")
    assert [r["data-key"] for r in page.rows] == [r["key"] for r in rows]
    assert sorted(page.links) == sorted(f"results/tunnelcheck-tenant-{n}/report.html" for n in EXPECTED_BEHIND)
    for link in page.links:
        assert "<html" in (site / link).read_text("utf-8")[:2000].lower()
    summary = (site / "summary.md").read_text("utf-8")
    assert "4 tenants: 0 with every phase met, 1 behind at inventory, 1 behind at defender-deployed, " \
        "1 behind at profiles-created, 1 results unreadable" in summary
    assert "- fleet/results/tunnelcheck-tenant-delta/results.json: no such file (the tenant's run wrote no results)" \
        in summary
    if system == "github":
        step_summary = world.root / "run-1001" / "fleet.summary.md"
        assert step_summary.read_text("utf-8") == summary

    # Round 2: gamma's gateway warns again; every tenant runs again, then the fleet against round 1's.
    _gamma_warns(world)
    world.logs.clear()
    world.run_id = 1002
    runner.run()
    log = "\n".join(world.logs)
    site = world.artifacts[1002]["tunnelcheck-fleet"]
    document = json.loads((site / "fleet.json").read_text("utf-8"))
    changes = document["changes"]
    assert changes["newly_failing"] == [{"key": ids["gamma"], "name": changes["newly_failing"][0]["name"],
                                         "checks": ["TUN-GW-01"]}], log
    assert changes["missing"] == changes["new"] == changes["no_longer_failing"] == []
    assert {r["key"]: r["behind"] for r in document["tenants"] if not r["unreadable"]} == \
        {ids["alpha"]: "inventory", ids["beta"]: "defender-deployed", ids["gamma"]: "inventory"}
    page = _page(site / "fleet.html")
    assert page.newly == [ids["gamma"]]
    assert [r["data-new"] for r in page.rows if r["data-key"] == ids["gamma"]] == ["1"]
    summary = (site / "summary.md").read_text("utf-8")
    assert re.search(r"^- \*\*newly failing\*\*: .+ \(TUN-GW-01\)$", summary, flags=re.MULTILINE), summary
    # Each tenant's own nightly compared with its own previous run (its history came back).
    gamma = json.loads((world.artifacts[1002]["tunnelcheck-tenant-gamma"] / "results.json").read_text("utf-8"))
    assert [c["check_id"] for c in gamma["result_diff"]["newly_failing"]] == ["TUN-GW-01"]
    assert world.emu.write_attempts == []


# ---------------------------------------------------------------------------------------------------
# The templates' shape (what the runner above relies on, and what the README promises)


def test_both_templates_run_the_same_scripts_with_the_same_layout() -> None:
    github = yaml.safe_load(GITHUB.read_text("utf-8"))
    azure = yaml.safe_load(AZURE.read_text("utf-8"))
    nightly_env = github["jobs"]["nightly"]["env"]
    (each,) = next(s for s in azure["stages"] if s["stage"] == "tenants")["jobs"]
    (template,) = next(iter(each.values()))
    azure_vars = template["variables"]
    for key in ("TUNNELCHECK_CONFIG", "TUNNELCHECK_BASELINE", "TUNNELCHECK_OUT", "TUNNELCHECK_HISTORY"):
        assert nightly_env[key].replace("matrix.tenant", "t") == azure_vars[key], key
    assert nightly_env["TUNNELCHECK_CONFIG"] == "tenants/${{ matrix.tenant.name }}/tunnelcheck.yaml"
    text = GITHUB.read_text("utf-8") + AZURE.read_text("utf-8")
    assert text.count("bash ci/nightly.sh") == 2 and text.count("bash ci/fleet.sh") == 2
    assert "tunnelcheck-tenant-${{ matrix.tenant.name }}" in text and "tunnelcheck-tenant-${{ t.name }}" in text
    # The gathering step finds what the downloads put down.
    fleet_env = github["jobs"]["fleet"]["env"]
    (download,) = [s for s in github["jobs"]["fleet"]["steps"] if s.get("uses", "").startswith("actions/download")]
    assert download["with"]["path"] == fleet_env["TUNNELCHECK_RESULTS"]
    assert download["with"]["pattern"] == "tunnelcheck-tenant-*"
    fleet_stage = next(s for s in azure["stages"] if s["stage"] == "fleet")
    (job,) = fleet_stage["jobs"]
    (current,) = [s for s in job["steps"] if s.get("inputs", {}).get("buildType") == "current"]
    assert current["inputs"]["targetPath"] == job["variables"]["TUNNELCHECK_RESULTS"]


@pytest.mark.parametrize(("tenants", "error"), [
    ("[]", "expected a list of tenants"),
    ('[{"name": "../escape"}]', "[0].name: expected letters, digits"),
    ('[{"name": "a"}, {"name": "a"}]', "[1].name: a is listed twice"),
    ("{", "cannot read the tenant list"),
])
def test_fleet_script_refuses_a_bad_tenant_list(tmp_path: Path, tenants: str, error: str) -> None:
    (tmp_path / "tenants.json").write_text(tenants, encoding="utf-8")
    run = subprocess.run(["bash", str(ROOT / "ci" / "fleet.sh")], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHON": sys.executable}, timeout=60, check=False)
    assert run.returncode == 2 and error in run.stderr, run.stderr
    assert not (tmp_path / "fleet").exists()
