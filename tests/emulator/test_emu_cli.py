"""``tunnelcheck emulate``: arguments, the printed instructions, serving until stopped; and the TLS setup."""

from __future__ import annotations

import argparse
import io
import json
import ssl
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from emutools import tenant_doc

from tunnelcheck.cli.emulate import add_emulate_arguments, main, serve_forever
from tunnelcheck.emulator import Emulator


def test_add_arguments_defaults() -> None:
    parser = argparse.ArgumentParser()
    add_emulate_arguments(parser)
    args = parser.parse_args(["snap.json"])
    assert (args.snapshots, args.port, args.page_size, args.state_dir, args.host) == (
        ["snap.json"],
        8443,
        100,
        None,
        "127.0.0.1",
    )


def test_serve_forever_prints_how_to_connect_and_stops(state_dir: Path) -> None:
    emu = Emulator(tenant_doc(), state_dir=state_dir).start()
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=serve_forever, args=(emu, out, stop))
    thread.start()
    try:
        with httpx.Client(verify=emu.ssl_context()) as client:
            assert (
                client.get(f"{emu.url}/{emu.tenant_id}/v2.0/.well-known/openid-configuration").status_code
                == 200
            )
    finally:
        stop.set()
        thread.join(timeout=5)
    text = out.getvalue()
    for expected in (
        emu.url,
        emu.ca_path,
        emu.tenant_id,
        emu.client_id,
        emu.client_secret,
        "SSL_CERT_FILE=",
        "graph_url:",
        "authority:",
        "client_secret_env:",
    ):
        assert expected in text
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{emu.url}/beta/groups", verify=emu.ssl_context())


def test_url_before_start_is_an_error(state_dir: Path) -> None:
    with pytest.raises(RuntimeError, match="not started"):
        Emulator(tenant_doc(), state_dir=state_dir).url


def test_main_refuses_a_broken_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main([str(broken), "--port", "0", "--state-dir", str(tmp_path / "state")]) == 2
    assert "broken.json" in capsys.readouterr().err


def test_main_serves_a_snapshot_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(tenant_doc()), encoding="utf-8")
    seen: dict[str, Any] = {}

    def fake_serve(emulator: Emulator, out: object = None) -> int:
        seen["url"] = emulator.url
        emulator.stop()
        return 0

    monkeypatch.setattr("tunnelcheck.cli.emulate.serve_forever", fake_serve)
    with pytest.warns(UserWarning, match="no sha256"):
        assert main([str(path), "--port", "0", "--page-size", "2", "--state-dir", str(tmp_path / "s")]) == 0
    assert seen["url"].startswith("https://127.0.0.1:")


def test_server_certificate_names_the_loopback_addresses(emu: Emulator) -> None:
    chain = Path(emu.state_dir, "server.pem").read_bytes()
    san = x509.load_pem_x509_certificates(chain)[0].extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert {str(ip) for ip in san.value.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    assert san.value.get_values_for_type(x509.DNSName) == ["localhost"]
    with httpx.Client(verify=emu.ssl_context()) as client:
        assert (
            client.get(f"https://localhost:{emu.port}/{emu.tenant_id}/discovery/v2.0/keys").status_code == 200
        )


def test_clients_that_do_not_trust_the_ca_are_refused(emu: Emulator) -> None:
    with httpx.Client(verify=ssl.create_default_context()) as client, pytest.raises(httpx.ConnectError):
        client.get(f"{emu.url}/beta/groups")


def test_state_dir_keeps_the_ca_across_runs(tmp_path: Path) -> None:
    with Emulator(tenant_doc(), state_dir=tmp_path) as first:
        ca = Path(first.ca_path).read_bytes()
    with Emulator(tenant_doc(), state_dir=tmp_path) as second:
        assert Path(second.ca_path).read_bytes() == ca
    assert (tmp_path / "ca-key.pem").stat().st_mode & 0o077 == 0


def test_temporary_state_dir_is_removed_on_stop() -> None:
    emu = Emulator(tenant_doc()).start()
    state = Path(emu.ca_path).parent
    assert state.exists()
    emu.stop()
    assert not state.exists()
