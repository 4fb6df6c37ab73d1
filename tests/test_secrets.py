"""Secrets appear in no output: a canary client secret, the access tokens and the certificate's private key
are looked for in the HTML report, the JSON results, JUnit, the --record snapshot, the Markdown summary, the
debug log (log_cli and a log file at DEBUG) and the terminal, in a ``pytest --tenant`` run against the
emulator whose user checks raise with ``--showlocals -vv`` while the credential objects are alive (one in
the user's frame, one inside tunnelcheck's own frames). Our wrappers' reprs name no secret."""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tunnelcheck import config, scrub
from tunnelcheck.emulator import Emulator, Fault
from tunnelcheck.errors import DataUnavailable
from tunnelcheck.sources.graph import auth
from tunnelcheck.sources.graph.client import endpoints

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tunnelcheck" / "demo" / "contoso.json"
SECRET_ENV = "TUNNELCHECK_CANARY_SECRET"
JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")

USER_CHECKS = '''
import pytest
from tunnelcheck.model.resources import Resource


@pytest.mark.tunnelcheck(id="USER-BOOM-01", title="raises in the user's frame", needs=["groups"])
def test_user_check_raises_with_credentials_alive(tenant, tunnelcheck_config):
    """A user check that raises while the credential is alive (its traceback must hold no secret)."""
    source = tenant.source
    credential = source.credential
    settings = source.settings
    where = source.endpoints
    raise RuntimeError("a user check failed on purpose")


@pytest.mark.tunnelcheck(id="USER-BOOM-02", title="raises inside tunnelcheck's frames", needs=["groups"])
def test_our_frames_raise_after_sign_in(tenant):
    """A user check whose error passes through our frames after sign-in."""
    source = tenant.source
    source.tenant = "99999999-9999-4999-8999-999999999999"  # not the token's tid: preflight refuses it
    source.preflight([Resource.GROUPS])
'''


def _private_key_lines(pem: str) -> list[str]:
    block = re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(.*?)-----END", pem, re.DOTALL)
    assert block, "the client certificate PEM holds its key"
    return [line for line in block.group(1).split() if len(line) >= 16]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSAL_", "IDENTITY_")) or name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CI"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("method", ["client-secret", "certificate"])
def test_no_secret_in_any_output(method: str, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                 tmp_path: Path) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}-SECRET"
    with Emulator(snapshot=DEMO, client_secret=canary, state_dir=tmp_path / "emu") as emu:
        monkeypatch.setenv(SECRET_ENV, canary)
        key_lines = _private_key_lines(Path(emu.cert_path).read_text())
        auth_section = (f"  method: client-secret\n  client_id: {emu.client_id}\n  client_secret_env: {SECRET_ENV}\n"
                        if method == "client-secret" else
                        f"  method: certificate\n  client_id: {emu.client_id}\n  certificate_path: {emu.cert_path}\n")
        cfg = pytester.path / "cfg.yaml"
        cfg.write_text("migration:\n  defender_features: false\n"
                       f"graph_url: {emu.graph_url}\nauthority: {emu.authority}\nca_bundle: {emu.ca_path}\n"
                       f"auth:\n{auth_section}", encoding="utf-8")
        pytester.makepyfile(test_user_checks=USER_CHECKS)
        outputs = {"json": "r.json", "junit": "r.xml", "html": "r.html", "record": "rec.json", "log": "run.log"}
        args = ["--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg),
                "--tunnelcheck-json", outputs["json"], "--junitxml", outputs["junit"],
                "--html", outputs["html"], "--self-contained-html", "--record", outputs["record"],
                "--log-level=DEBUG", "-o", "log_cli=true", "-o", "log_cli_level=DEBUG",
                "--log-file", outputs["log"], "--log-file-level=DEBUG",
                "--showlocals", "-vv", "--tb=long", "-p", "no:cacheprovider", "test_user_checks.py"]
        markdown = pytester.runpytest_subprocess("--help").stdout.str()
        if "--tunnelcheck-markdown" in markdown:
            outputs["markdown"] = "r.md"
            args[-1:-1] = ["--tunnelcheck-markdown", outputs["markdown"]]
        result = pytester.runpytest_subprocess(*args)
        token_requests = [r for r in emu.requests if r.path.endswith("/oauth2/v2.0/token")]
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert token_requests, "the run signed in"
    terminal = "\n".join(result.outlines + result.errlines)
    # The tracebacks really happened, with locals shown, and the debug log is on.
    assert "a user check failed on purpose" in terminal and "credential = <tunnelcheck credential" in terminal and "DEBUG" in terminal
    assert "signed in to tenant" in terminal  # the traceback through tunnelcheck's own frames
    texts = {name: (pytester.path / path).read_text(encoding="utf-8") for name, path in outputs.items()}
    texts["terminal"] = terminal
    assert all(texts.values()), [n for n, t in texts.items() if not t]
    for name, text in texts.items():
        assert canary not in text, f"the client secret leaked into the {name}"
        found = JWT.search(text)
        assert not found, f"an access token leaked into the {name}: ...{text[max(found.start() - 200, 0):found.end()]}"
        assert not re.search(r"Bearer\s+[\w-]{20,}", text), f"an Authorization header leaked into the {name}"
        assert "PRIVATE KEY" not in text and not [k for k in key_lines if k in text], \
            f"the certificate's private key leaked into the {name}"


def test_reprs_name_no_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    monkeypatch.setenv(SECRET_ENV, canary)
    settings = config.parse({"graph_url": "https://127.0.0.1:9", "authority": "https://127.0.0.1:9",
                             "auth": {"method": "client-secret", "client_id": "c", "client_secret_env": SECRET_ENV}})
    credential = auth.make_credential(settings, "contoso.example", endpoints(settings))
    for obj in (credential, settings, settings.auth, endpoints(settings)):
        assert canary not in repr(obj) and canary not in str(obj)
    assert repr(credential) == "<tunnelcheck credential: client-secret>"


# ---------------------------------------------------------------------------------------------------
# An authority that echoes what it was sent: scrubbed from every message, as a last line of defence

TOKEN_PATH = r"/oauth2/v2.0/token$"
FAKE_JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJlY2hvZWQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


class _EchoFromTheSecondSignIn(Fault):
    """An Entra error that echoes the client secret (as sent, and as a form body encodes it) and a token,
    to every token request but the first (``skip`` of them pass)."""

    def __init__(self, secret: str, skip: int) -> None:
        description = (f"AADSTS7000215: Invalid client secret '{secret}' provided (form: {quote_plus(secret)}), "
                       f"last token {FAKE_JWT}. Trace ID: echo")
        super().__init__(TOKEN_PATH, status=401, times=None, body=json.dumps(
            {"error": "invalid_client", "error_description": description, "error_codes": [7000215]}))
        self.skip = skip

    def matches(self, method: str, path: str, inside_batch: bool) -> bool:
        if not super().matches(method, path, inside_batch):
            return False
        self.skip -= 1
        return self.skip < 0


def _assert_clean(texts: dict[str, str], canary: str) -> None:
    assert all(texts.values()), [n for n, t in texts.items() if not t]
    for name, text in texts.items():
        # the random middle too: a secret cut in two at its dot would leave it
        for form in (canary, quote_plus(canary), quote(canary, safe=""), canary.split("~")[1].split(".")[0]):
            assert form not in text, f"the client secret leaked into the {name}"
        found = JWT.search(text)
        assert not found, f"a token leaked into the {name}: ...{text[max(found.start() - 200, 0):found.end()]}"


@pytest.mark.parametrize("when", ["first-sign-in", "renewal-mid-run"])
def test_an_authority_echoing_the_secret_is_scrubbed(when: str, pytester: pytest.Pytester,
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The emulated authority answers a token request with an error whose description echoes the client
    secret (with the dot and tilde real secrets have, and URL-encoded) and a JWT. At the first sign-in the
    run stops with one line; on a renewal mid-run (Graph refuses the token once: the credential asks for
    a new one) the resources error. Either way the secret and the token appear in no output: terminal with
    log_cli at DEBUG (azure-identity logs the authority's text as a warning), log file, JSON, HTML, JUnit."""
    canary = f"CANARY~{uuid.uuid4().hex}.S+E/C"
    with Emulator(snapshot=DEMO, client_secret=canary, state_dir=tmp_path / "emu") as emu:
        monkeypatch.setenv(SECRET_ENV, canary)
        emu.faults.append(_EchoFromTheSecondSignIn(canary, skip=0 if when == "first-sign-in" else 1))
        if when == "renewal-mid-run":
            emu.faults.append(Fault(r"/beta/groups$", expire_tokens=True))
        cfg = pytester.path / "cfg.yaml"
        cfg.write_text("migration:\n  defender_features: false\n"
                       f"graph_url: {emu.graph_url}\nauthority: {emu.authority}\nca_bundle: {emu.ca_path}\n"
                       f"auth:\n  method: client-secret\n  client_id: {emu.client_id}\n  client_secret_env: {SECRET_ENV}\n",
                       encoding="utf-8")
        outputs = {"json": "r.json", "junit": "r.xml", "html": "r.html", "log": "run.log"}
        result = pytester.runpytest_subprocess(
            "--tenant", emu.tenant_id, "--tunnelcheck-config", str(cfg), "--tunnelcheck-json", outputs["json"],
            "--junitxml", outputs["junit"], "--html", outputs["html"], "--self-contained-html",
            "--log-level=DEBUG", "-o", "log_cli=true", "-o", "log_cli_level=DEBUG", "--log-file", outputs["log"],
            "--log-file-level=DEBUG", "-p", "no:cacheprovider", "-rA")
        echoed = [r for r in emu.requests if r.path.endswith("/oauth2/v2.0/token") and r.fault == "body"]
    assert echoed, "the authority echoed the secret"
    terminal = "\n".join(result.outlines + result.errlines)
    texts = {"terminal": terminal}
    if when == "first-sign-in":
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        errors = [line for line in result.errlines if line.startswith("ERROR")]
        assert errors == [(f"ERROR: client-secret sign-in to tenant {emu.tenant_id} failed: AADSTS7000215: "
                           "Invalid client secret '[redacted]' provided (form: [redacted]), last token [token]")], errors
    else:
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        texts |= {name: (pytester.path / path).read_text(encoding="utf-8") for name, path in outputs.items()}
        reasons = {r["reason"] for r in json.loads(texts["json"])["results"] if r["outcome"] == "error"}
        assert any("Invalid client secret '[redacted]'" in r for r in reasons), reasons
        assert "get_token failed" in texts["log"] and "[redacted]" in texts["log"], "the echo was logged, scrubbed"
    _assert_clean(texts, canary)


def test_scrub_replaces_remembered_secrets_and_tokens_in_errors_and_log_records(
        caplog: pytest.LogCaptureFixture) -> None:
    secret = f"s3cr3t~{uuid.uuid4().hex}.x"
    opaque = f"opaque-token-{uuid.uuid4().hex}"
    scrub.remember(secret)
    scrub.remember(opaque)
    scrub.install()
    error = DataUnavailable("groups", f"Graph said {secret} and {opaque} and {FAKE_JWT}")
    assert str(error) == "groups: Graph said [redacted] and [redacted] and [token]"
    assert error.reason == "Graph said [redacted] and [redacted] and [token]" and secret not in repr(error)
    with caplog.at_level(logging.INFO, logger="azure.identity"):
        logging.getLogger("azure.identity").warning("get_token failed: %s (%s)", secret, quote_plus(secret))
        try:
            raise RuntimeError(f"boom {FAKE_JWT}")
        except RuntimeError:
            logging.getLogger("msal").exception("failed")
    text = caplog.text
    assert "get_token failed: [redacted] ([redacted])" in text and "boom [token]" in text
    assert secret not in text and FAKE_JWT not in text
    assert scrub.scrub("a short word") == "a short word"  # nothing that is no secret is touched
