"""Bad files given to ``tunnelcheck diff``, ``tunnelcheck accept`` and ``tunnelcheck record``: each is one line
on stderr and exit status 2, never a traceback, and nothing is written or replaced.

The same table of bad snapshot files (missing, a folder, links that loop, dangle or lead to a device, a
FIFO, malformed JSON, a gzip bomb, a million levels of nesting, a 5,001-digit number) is given to each
command in each role it reads a snapshot in."""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tunnelcheck import cli
from tunnelcheck.sources.graph.record import Checkpoint

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tunnelcheck" / "demo" / "contoso.json"
BASELINE = ROOT / "tunnelcheck" / "demo" / "baseline.json"
LIMIT = "max_snapshot_mb: 4\n"  # so that a bomb of 8 MB shows the limit (and 2 MB of brackets do not)


def _text(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content, encoding="utf-8")


def _loop(path: Path) -> None:
    path.symlink_to(path)


def _bomb(path: Path) -> None:
    path.write_bytes(gzip.compress(b'{"tunnelcheck_snapshot": 1, "resources": {}, "p": "' + b" " * (8 << 20) + b'"}'))


BAD_FILES: list[tuple[str, Callable[[Path], None] | None, str]] = [
    ("missing", None, "cannot read the file (No such file or directory)"),
    ("folder", lambda p: p.mkdir(), "cannot read the file (Is a directory)"),
    ("symlink-loop", _loop, "cannot read the file (Too many levels of symbolic links)"),
    ("dangling-symlink", lambda p: p.symlink_to(p.with_name("nowhere.json")),
     "cannot read the file (No such file or directory)"),
    ("symlink-to-dev-zero", lambda p: p.symlink_to("/dev/zero"), "cannot read the file (not a regular file)"),
    ("fifo", os.mkfifo, "cannot read the file (not a regular file)"),
    ("malformed", _text('{"tunnelcheck_snapshot": 1, "resources": {'),
     "not valid JSON (line 1, column 43: Expecting property name enclosed in double quotes)"),
    ("gzip-bomb", _bomb,
     "larger than 4 MB once decompressed: refused (the limit is max_snapshot_mb in --tunnelcheck-config)"),
    ("nested-1000000-deep", _text('{"tunnelcheck_snapshot": 1, "x": ' + "[" * 10**6 + "]" * 10**6 + "}"),
     "nested too deeply (arrays or objects more than 100 levels deep)"),
    ("5001-digit-integer", _text('{"tunnelcheck_snapshot": 1, "n": ' + "7" * 5001 + "}"),
     "not valid JSON: a number of more than 4300 digits"),
]
#: accept --baseline FILE replaces FILE: a link there is refused whatever it leads to, and no FILE at all
#: is a first accept, not an error.
AS_BASELINE = {
    "missing": None, "symlink-loop": "is a symbolic link: give the baseline file itself (accept replaces it)",
    "dangling-symlink": "is a symbolic link: give the baseline file itself (accept replaces it)",
    "symlink-to-dev-zero": "is a symbolic link: give the baseline file itself (accept replaces it)",
    "folder": "is not a regular file", "fifo": "is not a regular file",
}
ROLES = ("diff-old", "diff-new", "accept-snapshot", "accept-baseline")


def _tree(folder: Path) -> dict[str, bytes | None]:
    return {p.name: p.read_bytes() if p.is_file() and not p.is_symlink() and not p.is_fifo() else None
            for p in folder.iterdir()}


def _cases() -> list[tuple[str, str, Callable[[Path], None] | None, str]]:
    out = []
    for role in ROLES:
        for case, make, message in BAD_FILES:
            if role == "accept-baseline" and case in AS_BASELINE:
                if AS_BASELINE[case] is None:
                    continue
                message = AS_BASELINE[case]
            out.append((role, case, make, message))
    return out


@pytest.mark.parametrize(("role", "case", "make", "message"), _cases(), ids=[f"{c[1]}-{c[0]}" for c in _cases()])
def test_bad_file_is_one_line(role: str, case: str, make: Callable[[Path], None] | None, message: str,
                              tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    if make is not None:
        make(bad)
    good = tmp_path / "good.json"
    shutil.copy(BASELINE if role == "accept-baseline" else DEMO, good)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(LIMIT, encoding="utf-8")
    argv = {
        "diff-old": ["diff", str(bad), str(good)],
        "diff-new": ["diff", str(good), str(bad)],
        "accept-snapshot": ["accept", str(bad), "--baseline", str(good)],
        "accept-baseline": ["accept", str(good), "--baseline", str(bad)],
    }[role]
    before = _tree(tmp_path)
    status = cli.main([*argv, "--tunnelcheck-config", str(cfg)])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err == f"tunnelcheck: error: {bad}: {message}\n"
    assert _tree(tmp_path) == before, "nothing was written or replaced"


@pytest.mark.parametrize("kind", ["symlink", "file"])
@pytest.mark.parametrize("resume", [False, True], ids=["record", "resume"])
def test_record_refuses_a_checkpoint_that_is_not_its_own_folder(kind: str, resume: bool, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """FILE.partial as a link (to a folder holding what looks like a checkpoint, which --resume would read as
    this tenant's data and a new recording would empty) or as a file: refused before signing in (the
    config's Graph and sign-in are a closed loopback port: getting that far would be another error)."""
    out = tmp_path / "tenant.json"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "meta.json").write_text('{"tunnelcheck_checkpoint": 1}', encoding="utf-8")
    partial = tmp_path / "tenant.json.partial"
    if kind == "symlink":
        partial.symlink_to(elsewhere, target_is_directory=True)
    else:
        partial.write_text("not a folder", encoding="utf-8")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("graph_url: https://127.0.0.1:9\nauthority: https://127.0.0.1:9\n"
                   "auth: {method: client-secret, client_id: c, client_secret_env: TC_UNSET}\n", encoding="utf-8")
    status = cli.main(["record", "--tenant", "contoso.onmicrosoft.com", "-o", str(out), "--tunnelcheck-config",
                       str(cfg), *(["--resume"] if resume else [])])
    _, err = capsys.readouterr()
    what = "is a symbolic link" if kind == "symlink" else "is not a folder"
    assert status == 2
    assert err == (f"tunnelcheck: error: {partial} (the checkpoint of an interrupted recording) {what}: refused; "
                   "remove it\n")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["meta.json"] and not out.exists()
    with pytest.raises(Exception, match="the checkpoint of an interrupted recording"):
        Checkpoint(out)


def test_record_output_folder_is_checked_before_signing_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("graph_url: https://127.0.0.1:9\nauthority: https://127.0.0.1:9\n"
                   "auth: {method: client-secret, client_id: c, client_secret_env: TC_UNSET}\n", encoding="utf-8")
    target = tmp_path / "missing" / "tenant.json"
    status = cli.main(["record", "--tenant", "contoso.onmicrosoft.com", "-o", str(target), "--tunnelcheck-config",
                       str(cfg)])
    assert status == 2
    assert capsys.readouterr().err == (
        f"tunnelcheck: error: -o: {target}: the folder {target.parent} does not exist\n")
