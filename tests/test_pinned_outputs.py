"""The files the project writes from built tenants stay byte for byte what they were: the demo tenant
(``tools/build_demo.py`` -> ``tunnelcheck/demo/*.json``) and ``tunnelcheck synth``. A change of the
builders of Graph JSON (``tunnelcheck.testing``) that moves a property, a value or a random draw shows
here. The digests are of the files' bytes (``sha256sum``), taken before the builders were shared."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tunnelcheck.cli import main
from tunnelcheck.sources import snapshot

ROOT = Path(__file__).resolve().parent.parent

DEMO = {
    "baseline.json": "55cf450f68c151671a4a8a1ee46cfb01acc3440f3aab8327d27caa64eddda365",
    "contoso.json": "d18f0c2acf45e93d2a3e5bb59407cf7f399d111c947cfe87a34ec70728fcb61c",
}

#: (size, seed) -> (current, baseline), as ``tunnelcheck synth --size S --seed N -o C --baseline B`` writes them.
SYNTH = {
    ("S", 1): ("dda2aba95aeb3f99f14e591fcd80b91dd8fdf831c4e08968ffaedfe4eafad9bf",
               "be3d7d151df8011d6ff108cf2569dbe8bc8affc0492fea2c2ab30e3c66d30f89"),
    ("S", 2): ("d7a6e94deb6d9898645c6cd1bc7b7b5dcf13cfba15fd7bf44d30ebef49cbf234",
               "01bba237d45440fa184b6ffc3215dfa177b0074d143a4c2e406b8fd220da1394"),
    ("S", 3): ("80d435ef44062fbe16aebc0756d2dac78d4b18efb7d82d7049df3057b68a6ca4",
               "7f0a2c4a7d8c0eb8cf5e3962c32b5068b92863e68f7445ae530b5d6aaba8ae4e"),
    ("M", 1): ("ec8b8f345286410e53c0ad9ee10e4fe8472dcc02c0e99a558010724fc09d5002",
               "ae1dc1942c70257f93aaff12f4397aaeca02be55daff018928373206ab67fd7d"),
    ("M", 2): ("c2a9298c42b04db0897e59f0fc6cda56a8525c157cd9a88ae0a771fe7b4a181d",
               "2573bcb1579373b65776a4acc51a6c2a193bce2438bf6324066448b904f73a65"),
}
#: ``tunnelcheck synth --size S --seed 1 -o FILE.json.gz``: gzip written with mtime 0, so its bytes are fixed too.
SYNTH_S1_GZ = "3c99cecb2bcbae422a54a9d201aa624d9e1553796847387f8045d76310d51423"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "tools" / "build_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_builder_writes_the_committed_demo(tmp_path: Path) -> None:
    demo = build_demo()
    for name, doc in (("baseline.json", demo.baseline()), ("contoso.json", demo.current())):
        snapshot.write(tmp_path / name, doc)
        committed = ROOT / "tunnelcheck" / "demo" / name
        assert sha256(committed) == DEMO[name], f"{committed} changed"
        assert (tmp_path / name).read_bytes() == committed.read_bytes(), f"tools/build_demo.py no longer writes {name}"


@pytest.mark.parametrize(("size", "seed"), list(SYNTH), ids=[f"{size}-seed-{seed}" for size, seed in SYNTH])
def test_synth_writes_the_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], size: str, seed: int) -> None:
    current, base = tmp_path / "current.json", tmp_path / "baseline.json"
    assert main(["synth", "--size", size, "--seed", str(seed), "-o", str(current), "--baseline", str(base)]) == 0
    capsys.readouterr()
    assert (sha256(current), sha256(base)) == SYNTH[size, seed]


def test_synth_gzip_writes_the_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.json.gz"
    assert main(["synth", "--size", "S", "--seed", "1", "-o", str(out)]) == 0
    capsys.readouterr()
    assert sha256(out) == SYNTH_S1_GZ
