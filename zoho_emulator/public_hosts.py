"""Answer for Zoho's public hosts on loopback: an HTTPS proxy that lands every tunnel on the emulator.

Some clients write Zoho's hosts into their code (Airbyte's connector: ``https://zohoapis.com``,
``https://accounts.zoho.com``). They are pointed here by configuration alone: ``HTTPS_PROXY`` names this
proxy and their trust store holds :func:`LoopbackAuthority`'s certificate. The proxy answers ``CONNECT host:443``
for the hosts below, ends TLS with a certificate the authority signed for them, and relays the plain HTTP
to the emulator. Any other host is refused (403), so nothing leaves the machine.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import socketserver
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ZOHO_SUFFIXES = ("zohoapis.com", "zohoapis.eu", "zohoapis.in", "zohoapis.com.au", "zohoapis.jp",
                 "zohoapis.com.cn", "zohoapis.ca", "zohoapis.sa")
ACCOUNTS_HOSTS = ("accounts.zoho.com", "accounts.zoho.eu", "accounts.zoho.in", "accounts.zoho.com.au",
                  "accounts.zoho.jp", "accounts.zoho.com.cn", "accounts.zohocloud.ca", "accounts.zoho.sa")


def is_zoho_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host in ACCOUNTS_HOSTS or any(host == s or host.endswith("." + s) for s in ZOHO_SUFFIXES)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass(frozen=True)
class LoopbackAuthority:
    """A certificate authority made for one folder: ``ca.pem`` to trust, ``host.pem``/``host.key`` to serve."""

    folder: Path

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    @classmethod
    def in_folder(cls, folder: Path) -> LoopbackAuthority:
        """The authority kept in ``folder``, made on first use (so a trust store built once keeps working)."""
        folder.mkdir(parents=True, exist_ok=True)
        authority = cls(folder)
        if not (folder / "host.key").exists():
            authority._make()
        return authority

    def _make(self) -> None:
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = (x509.CertificateBuilder().subject_name(_name("Zoho emulator test CA")).issuer_name(
            _name("Zoho emulator test CA")).public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
        host_key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName(h) for h in ACCOUNTS_HOSTS]
        names += [x509.DNSName(n) for s in ZOHO_SUFFIXES for n in (s, f"*.{s}")]
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        host_cert = (x509.CertificateBuilder().subject_name(_name("zohoapis.com")).issuer_name(ca_cert.subject)
                     .public_key(host_key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                     .add_extension(x509.SubjectAlternativeName(names), critical=False)
                     .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                     .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                    critical=False)
                     .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                     .sign(ca_key, hashes.SHA256()))
        pem = serialization.Encoding.PEM
        (self.folder / "host.pem").write_bytes(host_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
        key_file = self.folder / "host.key"
        key_file.touch(mode=0o600)
        key_file.write_bytes(host_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
        (self.folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.folder / "host.pem", self.folder / "host.key")
        return context


def _relay(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (sink, source):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _TunnelHandler(socketserver.BaseRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        client: socket.socket = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
            if len(head) > 65536:
                return
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, target = request_line.partition(" ")
        host = target.split(" ", 1)[0].rsplit(":", 1)[0]
        if method.upper() != "CONNECT" or not is_zoho_host(host):
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            secure = self.server.tls.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            return
        upstream = socket.create_connection(self.server.upstream, timeout=300)
        self.server.tunnels += 1
        back = threading.Thread(target=_relay, args=(upstream, secure), daemon=True)
        back.start()
        _relay(secure, upstream)
        back.join(timeout=300)
        for sock in (secure, upstream):
            sock.close()


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: tuple[str, int], tls: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _TunnelHandler)
        self.upstream = upstream
        self.tls = tls
        self.tunnels = 0


@dataclass
class PublicHostsProxy:
    """A running proxy: ``url`` goes into ``HTTPS_PROXY``, ``authority.ca_file`` into the client's trust store."""

    url: str
    authority: LoopbackAuthority
    server: _ProxyServer
    thread: threading.Thread

    @property
    def tunnels(self) -> int:
        return self.server.tunnels

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> PublicHostsProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_public_hosts_proxy(emulator_url: str, authority: LoopbackAuthority | None = None) -> PublicHostsProxy:
    """Serve Zoho's public hosts for the emulator at ``emulator_url`` (``http://127.0.0.1:PORT``)."""
    authority = authority or LoopbackAuthority.in_folder(Path(tempfile.mkdtemp(prefix="zoho-ca-")))
    host, port = emulator_url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    server = _ProxyServer((host, int(port)), authority.server_context())
    thread = threading.Thread(target=server.serve_forever, name="zoho-public-hosts", daemon=True)
    thread.start()
    return PublicHostsProxy(f"http://127.0.0.1:{server.server_address[1]}", authority, server, thread)
