"""--redact: stable salted hashes of user principal names, user and device names, applied to raw objects
before they are written or reported; verdicts on a redacted tenant equal those on the original (the demo and
a synthetic tenant), and no name appears in a redacted snapshot or in the outputs of a redacted run."""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tunnelcheck import config
from tunnelcheck.check import Verdict, run_check
from tunnelcheck.errors import TunnelcheckError
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot, synth
from tunnelcheck.sources.redact import SALT_ENV, RedactedSource, Redactor, from_env
from tunnelcheck.sources.snapshot import SnapshotSource
from tunnelcheck.tenant import Tenant

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "tunnelcheck" / "demo"
DEMO = DEMO_DIR / "contoso.json"
NAMES = ["SALES-PIXEL-01", "FIELD-GALAXY-07", "EXEC-IPHONE-02", "FIN-IPAD-11", "adele.vance@contoso.com",
         "lee.gu@contoso.com", "megan.bowen@contoso.com", "diego.siciliani@contoso.com", "admin@contoso.onmicrosoft.com"]
HASH = re.compile(r"^(redacted-[0-9a-f]{16}|[0-9a-f]{16}@redacted\.invalid)$")
MIGRATION = config.parse({"migration": {"defender_features": False}}).migration


def test_hashes_are_stable_salted_and_idempotent() -> None:
    one, same, other = Redactor("s3cret-salt"), Redactor("s3cret-salt"), Redactor("another-salt")
    assert one.value("adele.vance@contoso.com") == same.value("adele.vance@contoso.com")
    assert one.value("Adele.Vance@Contoso.com") == one.value("adele.vance@contoso.com")  # UPNs ignore case
    assert one.value("adele.vance@contoso.com") != other.value("adele.vance@contoso.com")
    assert one.value("SALES-PIXEL-01") != one.value("FIELD-GALAXY-07")
    assert HASH.match(one.value("SALES-PIXEL-01")) and one.value("x@y.z").endswith("@redacted.invalid")
    hashed = one.value("SALES-PIXEL-01")
    assert one.value(hashed) == hashed and other.value(hashed) == hashed  # redacting twice changes nothing
    assert "s3cret" not in repr(one) and "s3cret" not in one.fingerprint
    assert one.fingerprint == same.fingerprint != other.fingerprint


def test_only_personal_values_change() -> None:
    raw = {"id": "dev-1", "deviceName": "SALES-PIXEL-01", "userPrincipalName": "a@contoso.com", "userId": "u-1",
           "operatingSystem": "Android", "displayName": "Microsoft Tunnel", "emailAddress": "",
           "managedDevices": [{"id": "d", "deviceName": "X"}], "actor": {"userPrincipalName": None}}
    out = Redactor("salt").objects(raw)
    assert out["id"] == "dev-1" and out["userId"] == "u-1" and out["operatingSystem"] == "Android"
    assert out["displayName"] == "Microsoft Tunnel" and out["emailAddress"] == "" and out["actor"] == {"userPrincipalName": None}
    assert HASH.match(out["deviceName"]) and HASH.match(out["userPrincipalName"])
    assert HASH.match(out["managedDevices"][0]["deviceName"])
    assert raw["deviceName"] == "SALES-PIXEL-01", "the original is not changed"


def test_salt_comes_from_the_environment() -> None:
    with pytest.raises(TunnelcheckError, match=f"^--redact needs a salt: set the environment variable {SALT_ENV}"):
        from_env({})
    assert from_env({SALT_ENV: "x"}).fingerprint == Redactor("x").fingerprint


def _verdicts(tenant: Tenant, baseline: Tenant | None = None) -> dict[str, Verdict]:
    return {c.id: run_check(c, tenant, baseline, MIGRATION) for c in Catalog.builtin().values()}


def _decisions(verdicts: dict[str, Verdict]) -> dict[str, Any]:
    """Outcome and the (object, ok) of each evidence row: what a verdict decided, names aside."""
    return {cid: (v.outcome, sorted((f.object_id, f.ok) for f in v.evidence)) for cid, v in verdicts.items()}


def _tenant(doc: dict[str, Any], redactor: Redactor | None, label: str) -> Tenant:
    source = SnapshotSource(snapshot.Snapshot(path=label, resources=doc["resources"],
                                              tenant_id=doc.get("tenant_id")))
    return Tenant(RedactedSource(source, redactor) if redactor else source)


@pytest.mark.parametrize("tenant_kind", ["demo", "synthetic-S"])
def test_verdicts_on_a_redacted_tenant_equal_the_originals(tenant_kind: str) -> None:
    if tenant_kind == "demo":
        current = json.loads(DEMO.read_text(encoding="utf-8"))
        base = json.loads((DEMO_DIR / "baseline.json").read_text(encoding="utf-8"))
    else:
        made = synth.generate("S", seed=3)
        current, base = made.current, made.baseline
    redactor = Redactor("consultant-share")
    plain = _verdicts(_tenant(current, None, "c"), _tenant(base, None, "b"))
    hidden = _verdicts(_tenant(current, redactor, "c"), _tenant(base, redactor, "b"))
    assert _decisions(hidden) == _decisions(plain)
    assert {v.outcome for v in plain.values()} >= {"passed", "failed"}
    # The evidence names no device or user (the device rows show hashes).
    devices = [f for v in hidden.values() for f in v.evidence if f.object_type == "device"]
    assert devices and all(HASH.match(f.object_name) for f in devices), devices[:3]


def test_redacted_snapshot_written_by_redactor_reads_back_with_same_verdicts(tmp_path: Path) -> None:
    doc = json.loads(DEMO.read_text(encoding="utf-8"))
    doc["resources"] = Redactor("s").resources(doc["resources"])
    path = tmp_path / "shared.json"
    snapshot.write(path, doc)
    text = path.read_text(encoding="utf-8")
    assert not [n for n in NAMES if n.lower() in text.lower()]
    assert _decisions(_verdicts(snapshot.load_tenant(path))) == _decisions(_verdicts(snapshot.load_tenant(DEMO)))


def test_tunnelcheck_record_redact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tunnelcheck.cli.record import add_record_arguments, run_record
    from tunnelcheck.emulator import Emulator

    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            monkeypatch.delenv(name)
    parser = argparse.ArgumentParser()
    add_record_arguments(parser)
    with Emulator(snapshot=DEMO) as emu:
        monkeypatch.setenv("TC_REDACT_TEST_SECRET", emu.client_secret)
        cfg = tmp_path / "cfg.yaml"
        cfg.write_text(f"graph_url: {emu.graph_url}\nauthority: {emu.authority}\nca_bundle: {emu.ca_path}\n"
                       f"auth: {{method: client-secret, client_id: {emu.client_id}, "
                       "client_secret_env: TC_REDACT_TEST_SECRET}\n", encoding="utf-8")
        argv = ["--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg), "--redact"]
        monkeypatch.delenv(SALT_ENV, raising=False)
        assert run_record(parser.parse_args([*argv, "-o", str(tmp_path / "none.json")])) == 2
        assert not (tmp_path / "none.json").exists()
        monkeypatch.setenv(SALT_ENV, "consultant-share")
        assert run_record(parser.parse_args([*argv, "-o", str(tmp_path / "a.json")])) == 0
        assert run_record(parser.parse_args([*argv, "-o", str(tmp_path / "b.json")])) == 0
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert not [n for n in NAMES if n.lower() in text.lower()]
    a, b = snapshot.read(tmp_path / "a.json"), snapshot.read(tmp_path / "b.json")
    assert dict(a.resources) == dict(b.resources), "same tenant, same salt: same snapshot"
    assert a.source.endswith(", redacted")
    assert _decisions(_verdicts(snapshot.load_tenant(tmp_path / "a.json"))) == \
        _decisions(_verdicts(snapshot.load_tenant(DEMO)))


def test_pytest_redact_outputs_name_nobody(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_ENV, "consultant-share")
    common = ["--snapshot", str(DEMO), "--baseline", str(DEMO_DIR / "baseline.json"),
              "--tunnelcheck-config", str(DEMO_DIR / "config.yaml"), "-p", "no:cacheprovider", "-rA"]
    plain = pytester.runpytest_subprocess(*common, "--tunnelcheck-json", "plain.json")
    hidden = pytester.runpytest_subprocess(*common, "--redact", "--tunnelcheck-json", "hidden.json",
                                           "--junitxml", "hidden.xml", "--html", "hidden.html",
                                           "--self-contained-html")
    assert plain.ret == hidden.ret == 1

    def outcomes(name: str) -> dict[str, str]:
        return {r["check_id"]: r["outcome"] for r in json.loads((pytester.path / name).read_text())["results"]}

    assert outcomes("hidden.json") == outcomes("plain.json")
    plain_text = (pytester.path / "plain.json").read_text()
    assert any(n in plain_text for n in NAMES), "the demo's evidence names devices: the test would prove nothing"
    for text in [*(p.read_text() for p in pytester.path.glob("hidden.*")), "\n".join(hidden.outlines)]:
        assert not [n for n in NAMES if n in text]
    monkeypatch.delenv(SALT_ENV)
    refused = pytester.runpytest_subprocess(*common, "--redact")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    assert any(f"--redact needs a salt: set the environment variable {SALT_ENV}" in line for line in refused.errlines)


def test_pytest_tenant_record_redact_writes_no_name(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's own --record of a live tenant is redacted like everything else it writes."""
    from emulated import SECRET_ENV, write_config

    from tunnelcheck.emulator import Emulator

    monkeypatch.setenv(SALT_ENV, "consultant-share")
    with Emulator(snapshot=DEMO) as emu:
        monkeypatch.setenv(SECRET_ENV, emu.client_secret)
        cfg = write_config(emu, pytester.path / "cfg.yaml")
        run = pytester.runpytest_subprocess("--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg),
                                            "--redact", "--record", "recorded.json", "--tunnelcheck-json",
                                            "live.json", "-p", "no:cacheprovider")
    assert run.ret == 1  # the demo is mid-migration
    recorded = (pytester.path / "recorded.json").read_text(encoding="utf-8")
    assert not [n for n in NAMES if n.lower() in recorded.lower()]
    live = {r["check_id"]: r["outcome"] for r in json.loads((pytester.path / "live.json").read_text())["results"]}
    replayed = _verdicts(snapshot.load_tenant(pytester.path / "recorded.json"))
    assert {cid: v.outcome for cid, v in replayed.items() if cid in live} == live
