"""The sandbox's certificate authority: a CA made on the fly and leaf certificates for host
names, so an endpoint on loopback can serve HTTPS that a client verifies for real.

    ca = CertificateAuthority.create(directory)
    cert, key = ca.issue("app.example.internal")      # PEM file paths
    ctx = ca.server_context("app.example.internal")   # an ssl.SSLContext for a server
    ca.bundle                                         # the CA's PEM: hand it to the client

The client side gets the CA through `SSL_CERT_FILE` (OpenSSL's default verify file, which
Python's `ssl.create_default_context()` and so urllib3 load when no CA is given): the relay
itself is not told anything and still verifies the chain and the host name.
Uses `cryptography` (already a moto dependency). Keys are EC P-256: fast to make.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: str, data: bytes) -> str:
    with open(path, "wb") as f:
        f.write(data)
    return path


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class CertificateAuthority:
    def __init__(self, directory: str, key, cert: x509.Certificate):
        self.directory = directory
        self._key = key
        self._cert = cert
        self.bundle = os.path.join(directory, "sandbox-ca.pem")

    @classmethod
    def create(cls, directory: str, name: str = "evrelay sandbox CA") -> "CertificateAuthority":
        os.makedirs(directory, exist_ok=True)
        key = _key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        ca = cls(directory, key, cert)
        _write(ca.bundle, cert.public_bytes(serialization.Encoding.PEM))
        return ca

    def issue(self, *names: str) -> tuple[str, str]:
        """A leaf certificate for these DNS names (or IP addresses): (cert path, key path)."""
        key = _key()
        sans = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                           critical=False)
            .sign(self._key, hashes.SHA256())
        )
        stem = os.path.join(self.directory, names[0].replace("*", "_wildcard_"))
        chain = cert.public_bytes(serialization.Encoding.PEM) + self._cert.public_bytes(serialization.Encoding.PEM)
        return _write(stem + ".crt", chain), _write(stem + ".key", _pem_key(key))

    def server_context(self, *names: str) -> ssl.SSLContext:
        """A server context presenting one certificate for `names`, whatever SNI the client
        sends: like an ALB listener's default certificate."""
        cert, key = self.issue(*names)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        return ctx
