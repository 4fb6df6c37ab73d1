"""The config file's JSON Schema (tunnelcheck/config.schema.json, README "Editor validation") kept in step
with the loader's dataclasses and config.example.yaml; and the loader's one-line messages for what the
schema refuses, which an editor flags too."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import types
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tunnelcheck import config
from tunnelcheck.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.yaml"
SCHEMA_PATH = ROOT / "tunnelcheck" / config.SCHEMA_FILE
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("build_config_schema", ROOT / "tools" / "build_config_schema.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _editor(draft: type = jsonschema.Draft202012Validator) -> Any:
    """The schema as an editor applies it: to the YAML 1.2 reading of a file (dates are text)."""
    return draft(SCHEMA, format_checker=draft.FORMAT_CHECKER)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=config._StrictLoader)  # the loader's YAML: dates stay text, as in YAML 1.2


def test_committed_schema_is_what_the_dataclasses_and_the_example_give() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == _builder().render(EXAMPLE.read_text(encoding="utf-8")), \
        "tunnelcheck/config.schema.json is not current: run python tools/build_config_schema.py"


@pytest.mark.parametrize("draft", [jsonschema.Draft202012Validator, jsonschema.Draft7Validator],
                         ids=["2020-12", "draft-7"])
def test_schema_is_valid_in_2020_12_and_in_draft_7_that_editors_know(draft: Any) -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    draft.check_schema(SCHEMA)


def test_example_points_at_the_schema_and_is_valid() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=tunnelcheck/config.schema.json"
    assert (EXAMPLE.parent / first.split("$schema=")[1]).resolve() == SCHEMA_PATH
    document = _yaml(EXAMPLE.read_text(encoding="utf-8"))
    _editor().validate(document)
    _editor(jsonschema.Draft7Validator).validate(document)
    assert config.load(EXAMPLE) == config.parse(document)


def _dataclasses(kind: Any, path: str) -> list[tuple[str, Any]]:
    """Each dataclass of the file with its path, the top one first (a list's items add no step)."""
    found = [(path, kind)]
    hints = typing.get_type_hints(kind)
    for f in dataclasses.fields(kind):
        inner = hints[f.name]
        inner = next((a for a in typing.get_args(inner) if a is not type(None)), inner) \
            if typing.get_origin(inner) in (typing.Union, types.UnionType) else inner
        inner = typing.get_args(inner)[0] if typing.get_origin(inner) is tuple else inner
        if dataclasses.is_dataclass(inner):
            found += _dataclasses(inner, f"{path}.{f.name}" if path else f.name)
    return found


def _object_at(path: str) -> dict[str, Any]:
    here = SCHEMA
    for step in filter(None, path.split(".")):
        here = here["properties"][step]
        here = here.get("items", here)
    return here


@pytest.mark.parametrize(("path", "kind"), _dataclasses(config.Config, ""), ids=lambda x: x if isinstance(x, str) else "")
def test_schema_properties_are_the_dataclass_fields_each_described(path: str, kind: Any) -> None:
    schema = _object_at(path)
    fields = {f.name: f for f in dataclasses.fields(kind)}
    refused = getattr(kind, "_refused_keys", {})
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(fields) | set(refused)
    assert set(schema.get("required", [])) == {
        n for n, f in fields.items() if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    for name, prop in schema["properties"].items():
        assert prop["description"].strip(), f"{path}.{name} has no description"
        if name in refused:
            assert prop == {"description": refused[name], "not": {}}
        elif "default" in prop:
            default = fields[name].default
            as_json = dataclasses.asdict(default) if dataclasses.is_dataclass(default) else default
            assert prop["default"] == (list(as_json) if isinstance(as_json, tuple) else as_json)


def test_a_key_without_a_description_is_named(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("# Requests in flight at once.\n", "")
    with pytest.raises(SystemExit, match=r"config.example.yaml does not describe concurrency: write a comment"):
        _builder().schema(text)


#: (case, the file, its one-line message after "cfg.yaml: ", whether the schema refuses it too: an editor
#: flags it as it is typed; the rules across keys are the loader's only).
BAD_CONFIGS: list[tuple[str, str, str, bool]] = [
    ("unknown-nested-key", "migration:\n  defender_toggle: 0\n",
     ("migration.defender_toggle: unknown key (known keys here: browser_package_ids, defender_app_ids, "
      "defender_features, max_profile_errors, reassign_delay_minutes, standalone_app_ids, standalone_app_names)"),
     True),
    ("unknown-key-deeper", "migration:\n  defender_app_ids: {android: a, ios: b, windows: c}\n",
     "migration.defender_app_ids.windows: unknown key (known keys here: android, ios)", True),
    ("unknown-key-in-a-list", "waivers:\n  - {check: TUN-AND-07, reason: r, owner: o, expires: 2030-01-31, objects: x}\n",
     "waivers[0].objects: unknown key (known keys here: check, expires, object, owner, reason)", True),
    ("unknown-auth-key-not-offering-the-refused-one", "auth:\n  secret_env: S\n",
     ("auth.secret_env: unknown key (known keys here: certificate_path, client_id, client_secret_env, method, "
      "tenant_id, token_file_env)"), True),
    ("refused-key", "auth:\n  method: client-secret\n  client_id: c\n  client_secret: hunter2\n",
     ("auth.client_secret: a secret must not be written in the config file: put it in an environment variable "
      "and give that variable's name as client_secret_env"), True),
    ("wrong-type-int", "concurrency: four\n", "concurrency: expected an integer, got a string", True),
    ("wrong-type-fraction", "timeout_seconds: 2.5\n", "timeout_seconds: expected an integer, got a number", True),
    ("wrong-type-nothing", "max_pages:\n", "max_pages: expected an integer, got nothing", True),
    ("wrong-type-bool", "migration:\n  defender_features: 'false'\n",
     "migration.defender_features: expected true or false, got a string", True),
    ("wrong-type-section", "auth: client-secret\n", "auth: expected a mapping, got a string", True),
    ("wrong-type-list", "migration:\n  standalone_app_names: Microsoft Tunnel\n",
     "migration.standalone_app_names: expected a list, got a string", True),
    ("wrong-type-in-a-list", "tenants:\n  - snapshot: a.json\n  - snapshot: 5\n",
     "tenants[1].snapshot: expected a non-empty string, got an integer", True),
    ("blank-string", "migration:\n  standalone_app_ids: {android: com.microsoft.tunnel, ios: '  '}\n",
     "migration.standalone_app_ids.ios: expected a non-empty string, got '  '", True),
    ("missing-nested", "migration:\n  standalone_app_ids: {android: com.microsoft.tunnel}\n",
     "migration.standalone_app_ids.ios: missing (required)", True),
    ("missing-in-a-list", "waivers:\n  - {check: TUN-AND-07, reason: r, owner: o}\n",
     "waivers[0].expires: missing (required)", True),
    ("bad-enum", "auth:\n  method: password\n",
     ("auth.method: expected one of default, client-secret, certificate, workload-identity, managed-identity, "
      "azure-cli, device-code, got 'password'"), True),
    ("bad-enum-type", "cloud: 3\n", "cloud: expected one of global, usgov, usgovdod, china, got an integer", True),
    ("bad-enum-long", f"cloud: {'g' * 300}\n",
     f"cloud: expected one of global, usgov, usgovdod, china, got '{'g' * 80}'...", True),
    ("bad-date", "waivers:\n  - {check: TUN-AND-07, reason: r, owner: o, expires: 2027-02-30}\n",
     "waivers[0].expires: expected a date (YYYY-MM-DD), got '2027-02-30'", True),
    ("bad-date-shape", "waivers:\n  - {check: TUN-AND-07, reason: r, owner: o, expires: 2027-1-31}\n",
     "waivers[0].expires: expected a date (YYYY-MM-DD), got '2027-1-31'", True),
    ("bad-date-type", "waivers:\n  - {check: TUN-AND-07, reason: r, owner: o, expires: 20270131}\n",
     "waivers[0].expires: expected a date (YYYY-MM-DD), got an integer", True),
    ("below-minimum", "throttle_limit: 0\n", "throttle_limit: expected 1 or more, got 0", True),
    ("negative", "migration:\n  reassign_delay_minutes: -5\n",
     "migration.reassign_delay_minutes: expected 0 or more, got -5", True),
    ("above-maximum", "max_retries: 11\n", "max_retries: expected at most 10, got 11", True),
    ("too-long", f"name: {'x' * 101}\n", "name: expected at most 100 characters, got 101", True),
    ("not-one-line", 'name: "Contoso\\u202eUE"\n', "name: expected one line of printable text, got 'Contoso\\u202eUE'", True),
    ("not-https", "authority: http://127.0.0.1:8443\n",
     "authority: expected an https:// URL, got 'http://127.0.0.1:8443'", True),
    ("https-without-host", "graph_url: https:///\n", "graph_url: expected an https:// URL, got 'https:///'", True),
    ("top-level", "- migration\n", "expected a mapping, got a list", True),
    # The rules across keys: tunnelcheck's own, when it loads the file.
    ("method-needs-a-key", "auth:\n  method: certificate\n  client_id: c\n",
     "auth.certificate_path: missing (required when method is certificate)", False),
    ("tenant-entry-with-two-sources", "tenants:\n  - {snapshot: a.json, tenant: b}\n",
     "tenants[0]: give exactly one of snapshot: FILE or tenant: TENANT", False),
    ("microsoft-sign-in-to-another-graph", "graph_url: https://127.0.0.1:8443\n",
     ("graph_url: https://127.0.0.1:8443 is not the Graph host of the Microsoft sign-in "
      "https://login.microsoftonline.com (https://graph.microsoft.com): its token must not be sent there (a test "
      "emulator needs authority: set to itself too)"), False),
]


@pytest.mark.parametrize(("case", "text", "message", "editor_flags"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_is_one_line_naming_the_key(case: str, text: str, message: str, editor_flags: bool,
                                               tmp_path: Path) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config.load(path)
    assert str(info.value) == f"{path}: {message}"
    for draft in (jsonschema.Draft202012Validator, jsonschema.Draft7Validator):
        assert _editor(draft).is_valid(_yaml(text)) is not editor_flags


def _keywords(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    found = set(schema) - {"description", "default", "$schema", "title"}
    for key in ("properties",):
        for sub in schema.get(key, {}).values():
            found |= _keywords(sub)
    for key in ("items", "not"):
        found |= _keywords(schema.get(key))
    return found


def test_every_rule_of_the_schema_has_a_bad_config_above() -> None:
    """Each keyword the schema validates with is worded by the loader: the table meets each one first."""
    met = {next(_editor().iter_errors(_yaml(text))).validator for _, text, _, flags in BAD_CONFIGS if flags}
    assert _keywords(SCHEMA) - {"properties", "items"} == met
