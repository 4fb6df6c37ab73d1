"""The config loader: typed, strict, one-line errors naming the file and key path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tunnelcheck import config
from tunnelcheck.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_is_valid_and_documents_every_migration_key() -> None:
    loaded = config.load(ROOT / "config.example.yaml")
    assert loaded.migration.defender_features is False
    text = (ROOT / "config.example.yaml").read_text()
    for name in config.MigrationConfig.__dataclass_fields__:
        assert f"  {name}:" in text, f"config.example.yaml does not document migration.{name}"


def test_defaults_without_a_file() -> None:
    defaults = config.load(None)
    assert defaults.migration.defender_features is None
    assert defaults.migration.defender_app_ids.android == "com.microsoft.scmx"
    assert defaults.migration.reassign_delay_minutes == 10


def test_waivers_parse_dates() -> None:
    loaded = config.parse({"waivers": [{"check": "TUN-AND-07", "reason": "r", "owner": "o", "expires": "2027-01-31"}]})
    assert loaded.waivers[0].expires == dt.date(2027, 1, 31)
    assert loaded.waivers[0].object is None


@pytest.mark.parametrize(("text", "message"), [
    ("migration:\n  defender_features: maybe\n", "migration.defender_features: expected true or false, got a string"),
    ("migration:\n  max_profile_errors: '3'\n", "migration.max_profile_errors: expected an integer, got a string"),
    ("migration:\n  max_profile_errors: -1\n", "migration.max_profile_errors: expected 0 or more, got -1"),
    ("migration:\n  defendr_features: true\n",
     "migration.defendr_features: unknown key (known keys here: browser_package_ids, defender_app_ids, "
     "defender_features, max_profile_errors, reassign_delay_minutes, standalone_app_ids, standalone_app_names)"),
    ("migration:\n  browser_package_ids: com.android.chrome\n",
     "migration.browser_package_ids: expected a list, got a string"),
    ("migration:\n  browser_package_ids: [com.android.chrome, 3]\n",
     "migration.browser_package_ids[1]: expected a non-empty string, got an integer"),
    ("migration:\n  defender_app_ids: {android: x}\n", "migration.defender_app_ids.ios: missing (required)"),
    ("waivers:\n  - check: TUN-AND-07\n    reason: r\n    owner: o\n    expires: soon\n",
     "waivers[0].expires: expected a date (YYYY-MM-DD), got 'soon'"),
    ("- a\n- b\n", "expected a mapping, got a list"),
    ("migration: [\n", "not valid YAML (line 2, column 1): expected the node content, but found '<stream end>'"),
    # A key written twice: YAML would keep the last silently.
    ("migration:\n  defender_features: false\ncloud: global\n\nmigration:\n  max_profile_errors: 2\n",
     "duplicate key 'migration' on lines 1 and 5 (YAML would keep only the last: merge them)"),
    ("migration:\n  max_profile_errors: 1\n  reassign_delay_minutes: 5\n  max_profile_errors: 2\n",
     "duplicate key 'max_profile_errors' on lines 2 and 4 (YAML would keep only the last: merge them)"),
    ("waivers:\n  - {check: TUN-AND-07, reason: a, owner: o, reason: b, expires: 2030-01-01}\n",
     "duplicate key 'reason' twice on line 2 (YAML would keep only the last: merge them)"),
    ("migration: " + "[" * 100_000 + "]" * 100_000 + "\n", "not valid YAML: nested too deeply"),
    ("max_pages: -" + "7" * 5000 + "\n", "not valid YAML: a number of more than 4300 digits"),
], ids=["bool", "int-type", "int-negative", "unknown-key", "list-type", "list-item", "nested-missing",
        "date", "top-level", "yaml-syntax", "duplicate-section", "duplicate-nested-key", "duplicate-in-flow-mapping",
        "nested-100000-deep", "5000-digit-integer"])
def test_bad_config_gives_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(path)
    assert str(info.value) == f"{path}: {message}"


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.yaml: cannot read the file \(No such file or directory\)"):
        config.load(tmp_path / "missing.yaml")


def test_tenant_snapshots_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text("tenants:\n  - snapshot: snaps/a.json\n  - tenant: fabrikam.onmicrosoft.com\n")
    loaded = config.load(path)
    assert [(e.snapshot, e.tenant) for e in loaded.tenants] == [
        (str(tmp_path / "snaps" / "a.json"), None), (None, "fabrikam.onmicrosoft.com")]


def test_tenant_entry_needs_exactly_one_source(tmp_path: Path) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text("tenants:\n  - snapshot: a.json\n    tenant: b\n")
    with pytest.raises(ConfigError, match=r"cfg\.yaml: tenants\[0\]: give exactly one of snapshot: FILE or tenant: TENANT$"):
        config.load(path)


def test_a_merged_key_may_still_be_overridden(tmp_path: Path) -> None:
    """``<<:`` merges defaults that the mapping then overrides: not a duplicate."""
    path = tmp_path / "cfg.yaml"
    path.write_text("migration:\n  <<: {defender_features: true, max_profile_errors: 3}\n  defender_features: false\n")
    loaded = config.load(path).migration
    assert (loaded.defender_features, loaded.max_profile_errors) == (False, 3)
