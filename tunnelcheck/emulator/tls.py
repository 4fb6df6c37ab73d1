"""The emulator's private PKI: a CA, a server certificate it signs, and a client certificate.

Why generate rather than ship PEM files: a committed private key is a key anyone can use, and certificates
expire. Each emulator makes its own CA at start (or reuses the one in a persistent ``state_dir``, so that a
demo user who pointed ``SSL_CERT_FILE`` at it once need not do it again), and clients trust exactly that CA
through ``verify=ca_path`` / ``connection_verify`` / ``SSL_CERT_FILE`` for one process, never system-wide.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Pki", "create_pki"]

_DAY = dt.timedelta(days=1)
_DEFAULT_NAMES = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Pki:
    """Paths of the PEM files, and the client certificate's public key (to verify its assertions)."""

    ca_path: Path
    server_cert_path: Path
    server_key_path: Path
    client_cert_path: Path
    client_certificate: x509.Certificate


def create_pki(state_dir: Path, host: str) -> Pki:
    """Write (or reuse) the CA and client certificate in ``state_dir`` and issue a fresh server certificate
    for ``host`` plus the loopback names."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = _load_or_create_ca(state_dir)
    server_key = ec.generate_private_key(ec.SECP256R1())
    names = tuple(dict.fromkeys((*_DEFAULT_NAMES, host)))
    server_cert = _issue(
        ca_cert,
        ca_key,
        server_key.public_key(),
        "tunnelcheck emulator",
        _subject_alt_names(names),
        ExtendedKeyUsageOID.SERVER_AUTH,
    )
    server_cert_path = state_dir / "server.pem"
    server_key_path = state_dir / "server-key.pem"
    _write(server_cert_path, _pem(server_cert) + _pem(ca_cert))
    _write(server_key_path, _key_pem(server_key), private=True)
    client_cert_path = state_dir / "client.pem"
    client_cert = _load_or_create_client(client_cert_path, ca_cert, ca_key)
    return Pki(state_dir / "ca.pem", server_cert_path, server_key_path, client_cert_path, client_cert)


def _load_or_create_ca(state_dir: Path) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    cert_path, key_path = state_dir / "ca.pem", state_dir / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if cert.not_valid_after_utc - _DAY > _now() and isinstance(key, ec.EllipticCurvePrivateKey):
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "tunnelcheck emulator CA (local testing only)")]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - _DAY)
        .not_valid_after(_now() + 365 * _DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), private=True)
    _write(cert_path, _pem(cert))
    return cert, key


def _load_or_create_client(
    path: Path, ca_cert: x509.Certificate, ca_key: CertificateIssuerPrivateKeyTypes
) -> x509.Certificate:
    """An RSA key (MSAL signs certificate assertions with PS256/RS256) and its certificate, in one PEM file,
    the form azure-identity's CertificateCredential reads."""
    if path.exists():
        data = path.read_bytes()
        cert = x509.load_pem_x509_certificate(data)
        if cert.issuer == ca_cert.subject and cert.not_valid_after_utc - _DAY > _now():
            return cert
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _issue(
        ca_cert,
        ca_key,
        key.public_key(),
        "tunnelcheck emulator client",
        None,
        ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    _write(path, _key_pem(key) + _pem(cert), private=True)
    return cert


def _issue(
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    public_key: CertificatePublicKeyTypes,
    common_name: str,
    san: x509.SubjectAlternativeName | None,
    usage: x509.ObjectIdentifier,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - _DAY)
        .not_valid_after(_now() + 30 * _DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def _subject_alt_names(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Private keys are created 0600 so a shared state_dir does not hand them to other local users."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
