"""The snapshot reader: every way a file can be wrong gives one SnapshotError naming the file and place."""

from __future__ import annotations

import copy
import gzip
import json
import os
import warnings
import zlib
from pathlib import Path

import pytest

from tunnelcheck.config import MigrationConfig
from tunnelcheck.drift import tenant_diff
from tunnelcheck.errors import DataUnavailable, SnapshotError
from tunnelcheck.model.resources import Resource
from tunnelcheck.sources import snapshot

DEMO = Path(snapshot.__file__).parent.parent / "demo" / "contoso.json"


@pytest.fixture
def doc() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def write_raw(path: Path, doc: dict, seal: bool = True) -> Path:
    body = {k: v for k, v in doc.items() if k != "sha256"}
    if seal:
        body["sha256"] = snapshot.canonical_digest(body)
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def test_demo_reads_and_parses_every_resource() -> None:
    tenant = snapshot.load_tenant(DEMO)
    assert tenant.info.label == "contoso"
    assert tenant.info.sha256 == snapshot.read(DEMO).sha256
    assert {p.id for p in tenant.profiles} >= {"p-and-do-std", "p-and-do-mde", "p-ios-mde"}
    assert all(tenant.available(r) for r in Resource)


def test_gzip_is_detected_by_content(tmp_path: Path, doc: dict) -> None:
    plain = write_raw(tmp_path / "t.json", doc)
    packed = tmp_path / "t.json.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert snapshot.read(packed).sha256 == snapshot.read(plain).sha256


def test_write_seals_and_round_trips(tmp_path: Path, doc: dict) -> None:
    for name in ("w.json", "w.json.gz"):
        digest = snapshot.write(tmp_path / name, copy.deepcopy(doc))
        again = snapshot.read(tmp_path / name)
        assert again.sha256 == digest
        assert again.resources == doc["resources"]
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("seal", [True, False], ids=["sealed", "unsealed"])
@pytest.mark.parametrize("value", [2**64 + 1, -(2**63) - 1, 1e-7, float("inf"), "\U0001F600"],
                         ids=["beyond-64-bits", "below-int64", "exponent-float", "infinity", "surrogate-pair"])
def test_values_orjson_reads_otherwise_read_as_json_does(tmp_path: Path, doc: dict, value: object,
                                                          seal: bool) -> None:
    """orjson reads a sealed snapshot faster, but reads some values otherwise than ``json`` (an integer
    beyond 64 bits as a float) or not at all: such a document is read as ``json`` reads it, seal verified."""
    doc["resources"]["groups"][0]["extra"] = value
    path = write_raw(tmp_path / "t.json", doc, seal=seal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", snapshot.UnsealedSnapshotWarning)
        read = snapshot.read(path)
    got = read.resources["groups"][0]["extra"]
    assert type(got) is type(value) and (got == value or got != got)
    assert read.sha256 == (snapshot.canonical_digest(doc) if seal else None)


@pytest.mark.parametrize("seal", ['"sha256": "00", ', ""], ids=["sealed", "unsealed"])
def test_a_lone_surrogate_is_one_error(tmp_path: Path, seal: str) -> None:
    """``"\\ud800"`` is JSON Python reads but no UTF-8 file can hold: refused in one line, never a traceback
    from the digest or from the first report written."""
    path = tmp_path / "t.json"
    path.write_text('{"tunnelcheck_snapshot": 1, ' + seal + '"resources": {"groups": [{"id": "g", '
                    '"displayName": "\\ud800 \\ud83d\\ude00"}]}}', encoding="utf-8")
    with pytest.raises(SnapshotError) as raised:
        snapshot.read(path)
    assert str(raised.value) == (f"{path}: not valid Unicode text: a lone surrogate escape (such as \\ud800), "
                                 "which no report or file can hold")


def test_unsealed_snapshot_is_accepted_with_a_warning(tmp_path: Path, doc: dict) -> None:
    path = write_raw(tmp_path / "hand.json", doc, seal=False)
    with pytest.warns(snapshot.UnsealedSnapshotWarning, match="no sha256"):
        assert snapshot.read(path).sha256 is None


def _mutations():
    def set_(place, value):
        def apply(d):
            target, *_ = [d]
            keys = place.split("|")
            for key in keys[:-1]:
                target = target[int(key)] if isinstance(target, list) else target[key]
            last = keys[-1]
            if isinstance(target, list):
                target[int(last)] = value
            else:
                target[last] = value
        return apply

    configs = "resources|deviceManagement/deviceConfigurations"
    return [
        ("version-missing", lambda d: d.pop("tunnelcheck_snapshot"),
         "missing 'tunnelcheck_snapshot' (not a tunnelcheck snapshot?)"),
        ("version-wrong", set_("tunnelcheck_snapshot", 2),
         "tunnelcheck_snapshot: unsupported format version 2 (this tunnelcheck reads 1)"),
        ("version-string", set_("tunnelcheck_snapshot", "1"),
         "tunnelcheck_snapshot: unsupported format version '1' (this tunnelcheck reads 1)"),
        ("resources-missing", lambda d: d.pop("resources"), "resources: missing"),
        ("resources-list", set_("resources", []), "resources: expected an object"),
        ("resource-not-list", set_(configs, {}),
         "resources.deviceManagement/deviceConfigurations: expected a list"),
        ("assignments-not-list", set_(configs + "|3|assignments", {"x": 1}),
         "resources.deviceManagement/deviceConfigurations[3].assignments: expected a list, got an object"),
        ("object-not-object", set_(configs + "|0", "p1"),
         "resources.deviceManagement/deviceConfigurations[0]: expected an object, got a string"),
        ("id-missing", lambda d: d["resources"]["deviceAppManagement/mobileApps"][0].pop("id"),
         "resources.deviceAppManagement/mobileApps[0].id: missing"),
        ("target-missing", lambda d: d["resources"]["deviceAppManagement/mobileApps"][0]["assignments"][0].pop("target"),
         "resources.deviceAppManagement/mobileApps[0].assignments[0].target: missing"),
        ("bool-wrong", set_(configs + "|0|alwaysOn", "yes"),
         "resources.deviceManagement/deviceConfigurations[0].alwaysOn: expected a boolean, got a string"),
        ("date-wrong", set_(configs + "|0|createdDateTime", "yesterday"),
         "resources.deviceManagement/deviceConfigurations[0].createdDateTime: expected an ISO 8601 date-time, "
         "got 'yesterday'"),
        ("tenant-id-number", set_("tenant_id", 5), "tenant_id: expected a string"),
    ]


@pytest.mark.parametrize(("mutate", "message"), [m[1:] for m in _mutations()], ids=[m[0] for m in _mutations()])
def test_malformed_documents_name_the_place(tmp_path: Path, doc: dict, mutate, message: str) -> None:
    mutate(doc)
    path = write_raw(tmp_path / "bad.json", doc)
    with pytest.raises(SnapshotError) as info:
        snapshot.load_tenant(path)
    assert str(info.value) == f"{path}: {message}"
    assert "\n" not in str(info.value)


def test_digest_mismatch_is_refused(tmp_path: Path, doc: dict) -> None:
    path = write_raw(tmp_path / "edited.json", doc)
    text = path.read_text().replace("Contoso-EU", "Contoso-US", 1)
    path.write_text(text)
    with pytest.raises(SnapshotError, match=r"edited\.json: sha256: sha256 does not match the content"):
        snapshot.read(path)


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)"),
    (b"[1, 2]", "expected a JSON object at the top level"),
    (b"\xff\xfe\x00", "not UTF-8 text"),
    (b"\x1f\x8b\x08\x00garbage", "not a valid gzip file (truncated or corrupt)"),
], ids=["not-json", "not-object", "not-utf8", "bad-gzip"])
def test_unreadable_content(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(SnapshotError) as info:
        snapshot.read(path)
    assert str(info.value) == f"{path}: {message}"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"nope\.json: cannot read the file \(No such file or directory\)"):
        snapshot.read(tmp_path / "nope.json")


def test_absent_resource_is_not_recorded_and_never_empty(tmp_path: Path, doc: dict) -> None:
    del doc["resources"]["deviceAppManagement/mobileApps"]
    tenant = snapshot.load_tenant(write_raw(tmp_path / "partial.json", doc))
    assert tenant.profiles  # what was recorded is usable
    with pytest.raises(DataUnavailable) as info:
        tenant.apps
    assert str(info.value) == (f"deviceAppManagement/mobileApps: not recorded in snapshot {tmp_path / 'partial.json'} "
                               "(needs Graph permission DeviceManagementApps.Read.All)")


def test_incomplete_provenance_makes_the_resource_unavailable(tmp_path: Path, doc: dict) -> None:
    doc["provenance"] = {"groups": {"requests": 3, "request_ids": [], "completed": False}}
    tenant = snapshot.load_tenant(write_raw(tmp_path / "cut.json", doc))
    with pytest.raises(DataUnavailable, match="recorded incompletely"):
        tenant.groups
    assert tenant.group_names == {}  # names are cosmetic: absent, not an error


# ---------------------------------------------------------------------------------------------------
# Hostile files: bounded in depth, in digits and in size, before anything is held whole


def test_a_million_levels_deep_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"tunnelcheck_snapshot": 1, "resources": {}, "x": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}")
    with pytest.raises(SnapshotError) as info:
        snapshot.load_tenant(path)
    assert str(info.value) == f"{path}: nested too deeply (arrays or objects more than 100 levels deep)"


@pytest.mark.parametrize("depth", [snapshot.MAX_DEPTH, snapshot.MAX_DEPTH + 1, 600])
@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "unsealed"])
@pytest.mark.parametrize("leaf", [[], [10**20]], ids=["measured-by-orjson", "measured-in-python"])
def test_depth_limit_inside_a_resource(tmp_path: Path, doc: dict, depth: int, sealed: bool, leaf: list) -> None:
    """At the limit a deep value loads (and drift, which recurses into it, compares it); one level past it,
    or where json itself still parses (600 levels), it is one error, sealed or not. An integer of 20 digits
    is past what orjson writes (64 bits): the depth is then measured the slow way, to the same limit."""
    value = copy.deepcopy(leaf)
    for _ in range(depth - 5):  # the envelope, resources, the list, the profile and the leaf: five levels
        value = [value]
    doc["resources"]["deviceManagement/deviceConfigurations"][0]["deep"] = value
    path = write_raw(tmp_path / "deep.json", doc, seal=sealed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", snapshot.UnsealedSnapshotWarning)
        if depth <= snapshot.MAX_DEPTH:
            tenant = snapshot.load_tenant(path)
            assert tenant_diff(tenant, snapshot.load_tenant(DEMO), MigrationConfig()).summary
            return
        with pytest.raises(SnapshotError) as info:
            snapshot.load_tenant(path)
    assert str(info.value) == f"{path}: nested too deeply (arrays or objects more than 100 levels deep)"


def test_a_5001_digit_integer_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "digits.json"
    path.write_text('{"tunnelcheck_snapshot": 1, "resources": {}, "n": ' + "7" * 5001 + "}")
    with pytest.raises(SnapshotError) as info:
        snapshot.load_tenant(path)
    assert str(info.value) == f"{path}: not valid JSON: a number of more than 4300 digits"


def test_gzip_bomb_is_refused_as_soon_as_it_passes_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """64 MB of JSON in a 64 kB gzip, read with max_mb=1: refused after about 2 MB of output (the limit and
    one step), not after decompressing it all."""
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b'{"tunnelcheck_snapshot": 1, "resources": {}, "pad": "' + b" " * (64 << 20) + b'"}'))
    produced = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.inner = real(*args, **kwargs)

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out = self.inner.decompress(data, max_length)
            produced.append(len(out))
            return out

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    monkeypatch.setattr(snapshot.zlib, "decompressobj", Counting)
    with pytest.raises(SnapshotError) as info:
        snapshot.read(path, max_mb=1)
    assert str(info.value) == (f"{path}: larger than 1 MB once decompressed: refused (the limit is max_snapshot_mb "
                               "in --tunnelcheck-config)")
    assert 1 << 20 < sum(produced) <= 2 << 20, sum(produced)


def test_plain_file_over_the_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'{"tunnelcheck_snapshot": 1, "resources": {}, "pad": "' + b" " * (3 << 20) + b'"}')
    with pytest.raises(SnapshotError, match=r"big\.json: larger than 2 MB: refused \(the limit is max_snapshot_mb"):
        snapshot.read(path, max_mb=2)
    with pytest.warns(snapshot.UnsealedSnapshotWarning):
        assert snapshot.read(path, max_mb=4).resources == {}


def test_concatenated_gzip_members_are_one_document(tmp_path: Path, doc: dict) -> None:
    """gzip files may be concatenated (``cat a.gz b.gz``): the streaming reader reads every member."""
    plain = write_raw(tmp_path / "t.json", doc).read_bytes()
    half = len(plain) // 2
    packed = tmp_path / "t.json.gz"
    packed.write_bytes(gzip.compress(plain[:half]) + gzip.compress(plain[half:]))
    assert snapshot.read(packed).sha256 == snapshot.read(tmp_path / "t.json").sha256
    packed.write_bytes(gzip.compress(plain) + b"trailing garbage")
    with pytest.raises(SnapshotError, match="not a valid gzip file"):
        snapshot.read(packed)


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    """A link to /dev/zero would never end; a FIFO would wait for a writer: both are refused at once."""
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    for path, says in ((zero, "not a regular file"), (fifo, "not a regular file"),
                       (loop, "Too many levels of symbolic links"), (tmp_path, "Is a directory")):
        with pytest.raises(SnapshotError) as info:
            snapshot.read(path)
        assert str(info.value) == f"{path}: cannot read the file ({says})"
