"""The snapshot reader and the config loader under hypothesis: structural mutations of valid documents
(a key or list item deleted, replaced, retyped, duplicated, at a random path; the bytes truncated) give
either a valid model or the documented one-line error (SnapshotError, ConfigError), never another
exception, and never a verdict from corrupted data: a sealed snapshot that was mutated is refused.
Example counts stay modest for CI."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tunnelcheck import config
from tunnelcheck.check import run_check
from tunnelcheck.errors import ConfigError, SnapshotError
from tunnelcheck.registry import Catalog
from tunnelcheck.sources import snapshot

ROOT = Path(__file__).resolve().parents[1]
DEMO = json.loads((ROOT / "tunnelcheck" / "demo" / "contoso.json").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "config.example.yaml").read_text(encoding="utf-8"))
# Every section filled in, so that the mutations reach waivers, tenants and auth's keys too.
CONFIG |= {
    "waivers": [{"check": "TUN-AND-02", "reason": "pilot group", "owner": "it@contoso.com",
                 "expires": "2030-01-31", "object": "grp-1"}],
    "tenants": [{"snapshot": "contoso.json"}, {"tenant": "contoso.onmicrosoft.com"}],
    "graph_url": "https://127.0.0.1:8443", "authority": "https://127.0.0.1:8443",
    "auth": {"method": "client-secret", "client_id": "c", "client_secret_env": "TC_SECRET"},
}
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**12), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["", "#microsoft.graph.iosVpnConfiguration", "2026-13-45",
                                                           "microsoftProtect", "apply", "uninstall", "id"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _paths(doc: Any, here: tuple = ()) -> list[tuple]:
    out = [here]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*here, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += _paths(value, (*here, i))
    return out


def _mutate(doc: Any, data: st.DataObject) -> Any:
    """A copy of ``doc`` with one structural change at a random path."""
    doc = copy.deepcopy(doc)
    path = data.draw(st.sampled_from(_paths(doc)[1:]), label="path")
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    old = parent[last]
    op = data.draw(st.sampled_from(["delete", "replace", "wrap-in-list", "wrap-in-object", "stringify",
                                    "duplicate", "empty"]), label="op")
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = data.draw(VALUES, label="value")
    elif op == "wrap-in-list":
        parent[last] = [old]
    elif op == "wrap-in-object":
        parent[last] = {"value": old}
    elif op == "stringify":
        parent[last] = json.dumps(old, default=str)
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(old))
    else:
        parent[last] = type(old)() if isinstance(old, (list, dict, str)) else None
    return doc


def _one_line(exc: Exception) -> None:
    assert str(exc) and "\n" not in str(exc), repr(str(exc))


def _run_every_check(tenant: Any, baseline: Any = None) -> None:
    migration = config.parse({"migration": {"defender_features": False}}).migration
    for check in Catalog.builtin().values():
        verdict = run_check(check, tenant, baseline, migration)  # a verdict or an error, never an exception
        assert verdict.outcome in {"passed", "failed", "skipped", "error", "waived"}


def _load_unsealed(path: Path) -> Any:
    """The tenant of an unsealed snapshot, or None when it was refused with a one-line SnapshotError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", snapshot.UnsealedSnapshotWarning)
        try:
            return snapshot.load_tenant(path)
        except SnapshotError as exc:
            _one_line(exc)
            return None


@FUZZ
@given(data=st.data())
def test_mutated_sealed_snapshot_is_refused(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    original = {k: v for k, v in DEMO.items() if k != "sha256"}
    mutated = _mutate(original, data)
    mutated.setdefault("sha256", snapshot.canonical_digest(original))  # sealed before the mutation
    if not isinstance(mutated.get("sha256"), str) or mutated["sha256"] != snapshot.canonical_digest(original):
        mutated["sha256"] = snapshot.canonical_digest(original)
    path = tmp_path_factory.mktemp("sealed") / "s.json"
    path.write_text(json.dumps(mutated), encoding="utf-8")
    if snapshot.canonical_digest(mutated) == snapshot.canonical_digest(original):
        snapshot.load_tenant(path)  # the "mutation" changed nothing (e.g. "" replaced by "")
        return
    with pytest.raises(SnapshotError) as info:
        snapshot.load_tenant(path)
    _one_line(info.value)


@FUZZ
@given(data=st.data())
def test_mutated_unsealed_snapshot_parses_or_is_one_line_error(tmp_path_factory: pytest.TempPathFactory,
                                                               data: st.DataObject) -> None:
    mutated = _mutate({k: v for k, v in DEMO.items() if k != "sha256"}, data)
    mutated.pop("sha256", None) if isinstance(mutated, dict) else None
    path = tmp_path_factory.mktemp("unsealed") / "u.json"
    path.write_text(json.dumps(mutated), encoding="utf-8")
    tenant = _load_unsealed(path)
    if tenant is not None:
        _run_every_check(tenant)


@FUZZ
@given(cut=st.floats(0.0, 0.999), gz=st.booleans())
def test_truncated_snapshot_is_refused(tmp_path_factory: pytest.TempPathFactory, cut: float, gz: bool) -> None:
    folder = tmp_path_factory.mktemp("cut")
    whole = folder / ("w.json.gz" if gz else "w.json")
    snapshot.write(whole, dict(DEMO))
    data = whole.read_bytes()
    part = folder / whole.name.replace("w.", "p.")
    part.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(SnapshotError) as info:
        snapshot.load_tenant(part)
    _one_line(info.value)


@FUZZ
@given(data=st.data(), depth=st.one_of(st.integers(1, 120), st.integers(121, 2000)), digits=st.integers(1, 6000),
       deep=st.booleans())
def test_deep_or_long_numbers_load_or_are_one_line_error(tmp_path_factory: pytest.TempPathFactory,
                                                        data: st.DataObject, depth: int, digits: int,
                                                        deep: bool) -> None:
    """A value nested ``depth`` levels, or a number of ``digits`` digits, put at a random place: within the
    reader's bounds every check runs on it (drift included: it recurses into values), past them one line."""
    doc = copy.deepcopy({k: v for k, v in DEMO.items() if k != "sha256"})
    path = data.draw(st.sampled_from([p for p in _paths(doc) if len(p) >= 4 and p[0] == "resources"]), label="path")
    text = ("[" * depth + "]" * depth) if deep else "7" * digits
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = "@@VALUE@@"
    file = tmp_path_factory.mktemp("bounds") / "b.json"
    file.write_text(json.dumps(doc).replace('"@@VALUE@@"', text), encoding="utf-8")
    tenant = _load_unsealed(file)
    if tenant is not None:
        assert deep or digits <= 4300
        _run_every_check(tenant, snapshot.load_tenant(ROOT / "tunnelcheck" / "demo" / "baseline.json"))


def _yaml_dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)


@FUZZ
@given(data=st.data())
def test_mutated_config_loads_or_is_one_line_error(tmp_path_factory: pytest.TempPathFactory,
                                                   data: st.DataObject) -> None:
    mutated = _mutate(CONFIG, data) if isinstance(CONFIG, dict) and CONFIG else {}
    path = tmp_path_factory.mktemp("cfg") / "c.yaml"
    path.write_text(_yaml_dump(mutated), encoding="utf-8")
    try:
        loaded = config.load(path)
    except ConfigError as exc:
        _one_line(exc)
        return
    assert isinstance(loaded, config.Config)


@FUZZ
@given(cut=st.integers(0, 10_000), junk=st.sampled_from(["", ":", "- [", "\t", "{", "key: [1, 2", "\x00", "&a *a"]))
def test_damaged_config_text_loads_or_is_one_line_error(tmp_path_factory: pytest.TempPathFactory, cut: int,
                                                        junk: str) -> None:
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("cfgtext") / "c.yaml"
    path.write_text(text[: cut % (len(text) + 1)] + junk, encoding="utf-8")
    try:
        assert isinstance(config.load(path), config.Config)
    except ConfigError as exc:
        _one_line(exc)


def test_example_documents_are_valid() -> None:
    """The fuzzers start from valid documents."""
    assert isinstance(config.parse(CONFIG, "config.example.yaml"), config.Config)
    assert snapshot.canonical_digest(DEMO) == DEMO["sha256"]
    assert len(_paths(DEMO)) > 500 and len(_paths(CONFIG)) > 30
