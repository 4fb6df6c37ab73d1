"""Bad input end to end: each gives exactly one line naming the file and place, a non-zero exit status, and
no traceback anywhere."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import socket
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from tcharness import Demo, demo_dir

from tunnelcheck.config import Config, MigrationConfig
from tunnelcheck.sources import snapshot


def _demo_doc() -> dict:
    return json.loads((demo_dir() / "contoso.json").read_text("utf-8"))


def _sealed(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        doc = _demo_doc()
        change(doc)
        snapshot.write(path, doc)
    return write


def _text(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content, "utf-8")


def _edited(path: Path) -> None:
    doc = _demo_doc()
    doc["tenant_id"] = "00000000-0000-0000-0000-000000000000"  # sha256 left as it was
    path.write_text(json.dumps(doc), "utf-8")


def _configs(doc: dict) -> list:
    return doc["resources"]["deviceManagement/deviceConfigurations"]


SNAPSHOT_CASES = [
    ("not-json", _text("this is not JSON\n"), "bad.json: not valid JSON (line 1, column 1: Expecting value)"),
    ("not-object", _text("[1, 2]"), "bad.json: expected a JSON object at the top level"),
    ("missing-version", _text('{"resources": {}}'),
     "bad.json: missing 'tunnelcheck_snapshot' (not a tunnelcheck snapshot?)"),
    ("wrong-version", _sealed(lambda d: d.update(tunnelcheck_snapshot=2)),
     "bad.json: tunnelcheck_snapshot: unsupported format version 2 (this tunnelcheck reads 1)"),
    ("string-version", _sealed(lambda d: d.update(tunnelcheck_snapshot="1")),
     "bad.json: tunnelcheck_snapshot: unsupported format version '1' (this tunnelcheck reads 1)"),
    ("assignments-not-list", _sealed(lambda d: _configs(d)[3].update(assignments={"id": "x"})),
     "bad.json: resources.deviceManagement/deviceConfigurations[3].assignments: expected a list, got an object"),
    ("resource-not-list", _sealed(lambda d: d["resources"].update(groups={"id": "g"})),
     "bad.json: resources.groups: expected a list"),
    ("resources-missing", _sealed(lambda d: d.pop("resources")), "bad.json: resources: missing"),
    ("tenant-id-not-string", _sealed(lambda d: d.update(tenant_id=42)), "bad.json: tenant_id: expected a string"),
    ("digest-mismatch", _edited,
     "bad.json: sha256: sha256 does not match the content: the file was edited or truncated"),
    ("bad-gzip", lambda p: p.write_bytes(gzip.compress(b'{"tunnelcheck_snapshot": 1}')[:12]),
     "bad.json: not a valid gzip file (truncated or corrupt)"),
    ("nested-1000000-deep", _text('{"tunnelcheck_snapshot": 1, "resources": {}, "x": ' + "[" * 10**6 + "]" * 10**6 + "}"),
     "bad.json: nested too deeply (arrays or objects more than 100 levels deep)"),
    ("5001-digit-integer", _text('{"tunnelcheck_snapshot": 1, "resources": {}, "n": ' + "7" * 5001 + "}"),
     "bad.json: not valid JSON: a number of more than 4300 digits"),
    ("dev-zero", lambda p: p.symlink_to("/dev/zero"), "bad.json: cannot read the file (not a regular file)"),
]


def _assert_one_line_error(demo_run, line: str) -> None:
    result = demo_run.result
    assert result.ret == pytest.ExitCode.USAGE_ERROR, (result.ret, result.errlines)
    # Only our line is an error; other stderr lines may be warnings of unrelated plugins.
    errors = [entry for entry in result.errlines if entry.startswith("ERROR")]
    assert errors == [line], result.errlines
    demo_run.assert_no_traceback()


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in SNAPSHOT_CASES], ids=[c[0] for c in SNAPSHOT_CASES])
def test_bad_snapshot(demo: Demo, make: Callable[[Path], None], message: str) -> None:
    make(demo.pytester.path / "bad.json")
    _assert_one_line_error(demo.run_plain("--snapshot=bad.json"), f"ERROR: {message}")


def _gzip_bomb(path: Path, megabytes: int) -> None:
    """A valid snapshot of ``megabytes`` MB (spaces in a string) in a gzip of about 1/1000 of that."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with path.open("wb") as f:
        f.write(deflate.compress(b'{"tunnelcheck_snapshot": 1, "resources": {}, "pad": "'))
        block = b" " * (1 << 20)
        for _ in range(megabytes):
            f.write(deflate.compress(block))
        f.write(deflate.compress(b'"}') + deflate.flush())


def test_gzip_bomb_is_refused_in_bounded_memory(demo: Demo) -> None:
    """A 512 MB snapshot in a 0.5 MB gzip, with max_snapshot_mb: 16: one line, and the run's peak memory
    (that pytest process's own, from wait4) stays far below what the expansion would take."""
    folder = demo.pytester.path
    _gzip_bomb(folder / "bomb.json.gz", 512)
    assert (folder / "bomb.json.gz").stat().st_size < 1 << 20
    (folder / "small.yaml").write_text("max_snapshot_mb: 16\n", "utf-8")
    with (folder / "out.txt").open("w") as out_file, (folder / "err.txt").open("w") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--snapshot=bomb.json.gz",
                                 "--tunnelcheck-config=small.yaml"], cwd=folder, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (Popen.wait would reap it without)
        proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = (folder / "out.txt").read_text(), (folder / "err.txt").read_text()
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, (out, err)
    expected = ("ERROR: bomb.json.gz: larger than 16 MB once decompressed: refused (the limit is max_snapshot_mb "
                "in --tunnelcheck-config)")
    assert [line for line in err.splitlines() if line.startswith("ERROR")] == [expected], err
    assert "Traceback" not in out + err and "INTERNALERROR" not in out + err
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    assert peak_mb < 200, f"peak RSS {peak_mb:.0f} MB: the bomb was expanded"


def test_bad_baseline_is_named_as_such(demo: Demo) -> None:
    _text("{}")(demo.pytester.path / "bad.json")
    run = demo.run_plain("--snapshot=contoso.json", "--baseline=bad.json")
    _assert_one_line_error(run, "ERROR: bad.json: missing 'tunnelcheck_snapshot' (not a tunnelcheck snapshot?)")


def test_unreadable_snapshot(demo: Demo) -> None:
    run = demo.run_plain("--snapshot=missing.json")
    _assert_one_line_error(run, "ERROR: missing.json: cannot read the file (No such file or directory)")
    run = demo.run_plain("--snapshot=.")
    _assert_one_line_error(run, "ERROR: .: cannot read the file (Is a directory)")


def _keys(schema: type) -> str:
    return ", ".join(sorted(f.name for f in dataclasses.fields(schema)))


CONFIG_CASES = [
    ("bad-yaml", "migration: [\n",
     "ERROR: cfg.yaml: not valid YAML (line 2, column 1): expected the node content, but found '<stream end>'"),
    # The list of known keys grows with the schema; the message's shape is what is pinned.
    ("unknown-key", "migration:\n  defender_feature: false\n",
     f"ERROR: cfg.yaml: migration.defender_feature: unknown key (known keys here: {_keys(MigrationConfig)})"),
    ("unknown-section", "migrations: {}\n",
     f"ERROR: cfg.yaml: migrations: unknown key (known keys here: {_keys(Config)})"),
    ("wrong-type", "migration:\n  max_profile_errors: many\n",
     "ERROR: cfg.yaml: migration.max_profile_errors: expected an integer, got a string"),
    ("waiver-unknown-check", "waivers:\n  - {check: TUN-NOPE-01, reason: r, owner: o, expires: 2030-01-01}\n",
     "ERROR: cfg.yaml: waivers[0].check: unknown check 'TUN-NOPE-01'"),
    ("duplicate-section", "migration:\n  defender_features: false\n\nmigration:\n  max_profile_errors: 2\n",
     "ERROR: cfg.yaml: duplicate key 'migration' on lines 1 and 4 (YAML would keep only the last: merge them)"),
]


@pytest.mark.parametrize(("content", "message"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_bad_config(demo: Demo, content: str, message: str) -> None:
    (demo.pytester.path / "cfg.yaml").write_text(content, "utf-8")
    _assert_one_line_error(demo.run_plain("--snapshot=contoso.json", "--tunnelcheck-config=cfg.yaml"), message)


def test_unreadable_config(demo: Demo) -> None:
    run = demo.run_plain("--snapshot=contoso.json", "--tunnelcheck-config=nope.yaml")
    _assert_one_line_error(run, "ERROR: nope.yaml: cannot read the file (No such file or directory)")


def test_unknown_phase(demo: Demo) -> None:
    run = demo.run_plain("--snapshot=contoso.json", "--phase", "done")
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    # argparse names the program as it was started ("pytest", or "__main__.py" under python -m pytest).
    expected = ("error: argument --phase: invalid choice: 'done' (choose from 'inventory', "
                "'defender-deployed', 'profiles-created', 'apps-reassigned', 'cleanup')")
    assert [line for line in run.result.errlines if line.endswith(expected)], run.result.errlines
    run.assert_no_traceback()


@pytest.mark.parametrize(("args", "message"), [
    (["--phase", "cleanup"], "ERROR: --phase: needs a tenant: give --snapshot FILE or --tenant TENANT"),
    (["--tunnelcheck-json=r.json"], "ERROR: --tunnelcheck-json: needs a tenant: give --snapshot FILE or --tenant TENANT"),
    (["--snapshot=contoso.json", "--drift"], "ERROR: --drift: needs --baseline FILE (the snapshot to compare with)"),
    (["--snapshot=contoso.json", "--snapshot=contoso.json"],
     "ERROR: contoso.json: names the tenant 'contoso' a second time in this run"),
], ids=["phase-without-tenant", "json-without-tenant", "drift-without-baseline", "same-tenant-twice"])
def test_bad_option_combinations(demo: Demo, args: list[str], message: str) -> None:
    _assert_one_line_error(demo.run_plain(*args), message)


#: Where even root cannot create a file: sysfs takes no new files (EACCES).
UNWRITABLE = "/sys"
OUTPUT_CASES = [
    (option, where, path, message)
    for option in ("--tunnelcheck-json", "--tunnelcheck-markdown", "--html", "--record")
    for where, path, message in (
        ("missing-folder", "nope/out.file", "nope/out.file: the folder nope does not exist"),
        ("unwritable-folder", f"{UNWRITABLE}/out.file",
         f"{UNWRITABLE}/out.file: cannot write in the folder {UNWRITABLE} (Permission denied)"),
        ("folder-is-a-file", "contoso.json/out.file", "contoso.json/out.file: contoso.json is not a folder"),
        ("path-is-a-folder", "outdir", "outdir: is a folder, not a file"),
    )
    # pytest-html makes missing folders: only one it cannot make is an error
    if not (option == "--html" and where == "missing-folder")
]


@pytest.mark.parametrize(("option", "path", "message"), [c[0:1] + c[2:] for c in OUTPUT_CASES],
                         ids=[f"{c[0].lstrip('-')}-{c[1]}" for c in OUTPUT_CASES])
def test_output_path_is_checked_before_anything_runs(demo: Demo, option: str, path: str, message: str) -> None:
    """Checked before the snapshot is read or a tenant signed in to: the snapshot given here does not exist
    and the tenant's sign-in would fail, so an error about either would mean the check came too late."""
    folder = demo.pytester.path
    (folder / "outdir").mkdir()
    (folder / "cfg.yaml").write_text("graph_url: https://127.0.0.1:9\nauthority: https://127.0.0.1:9\n"
                                     "auth: {method: client-secret, client_id: c, client_secret_env: TC_UNSET}\n")
    source = "--tenant=contoso.onmicrosoft.com" if option == "--record" else "--snapshot=missing.json"
    run = demo.run_plain(source, "--tunnelcheck-config=cfg.yaml", f"{option}={path}")
    _assert_one_line_error(run, f"ERROR: {option}: {message}")
    assert not (folder / "nope").exists() and not list((folder / "outdir").iterdir())
    assert not list(folder.glob("*out.file*")), "the probe is removed"


def test_html_report_folders_are_still_made(demo: Demo) -> None:
    """pytest-html makes the folders of --html: the check must not refuse what it would have done."""
    run = demo.run("--html=reports/nightly/r.html", "--self-contained-html")
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert (demo.pytester.path / "reports" / "nightly" / "r.html").stat().st_size > 0


def test_graph_host_guard_stops_the_run_before_any_request(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """``authority`` written out as Microsoft's sign-in and ``graph_url`` elsewhere (here a loopback port that
    counts connections): one line at config load; nothing connects anywhere. A proxy that does not exist
    and an unset secret stand behind it, so that a broken guard would fail here too, never reach Microsoft."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("TC_UNSET", raising=False)
    (demo.pytester.path / "cfg.yaml").write_text(
        f"authority: https://login.microsoftonline.com\ngraph_url: https://127.0.0.1:{port}\n"
        "auth: {method: client-secret, client_id: c, client_secret_env: TC_UNSET}\n", "utf-8")
    try:
        run = demo.run_plain("--tenant=contoso.onmicrosoft.com", "--tunnelcheck-config=cfg.yaml")
        _assert_one_line_error(run, (
            f"ERROR: cfg.yaml: graph_url: https://127.0.0.1:{port} is not the Graph host of the Microsoft sign-in "
            "https://login.microsoftonline.com (https://graph.microsoft.com): its token must not be sent there "
            "(a test emulator needs authority: set to itself too)"))
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
