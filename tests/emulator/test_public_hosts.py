"""The loopback proxy that answers for Zoho's public hosts: Zoho's hosts reach the emulator, nothing else leaves."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from zoho_emulator import EmulatorConfig, RunningEmulator, start_emulator
from zoho_emulator.public_hosts import LoopbackAuthority, PublicHostsProxy, is_zoho_host, start_public_hosts_proxy


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningEmulator, PublicHostsProxy]]:
    with start_emulator(EmulatorConfig(preset="small")) as emulator:
        proxy = start_public_hosts_proxy(emulator.url, LoopbackAuthority.in_folder(Path(tmp_path_factory.mktemp("ca"))))
        yield emulator, proxy
        proxy.stop()


@pytest.mark.parametrize("host, zoho", [
    ("zohoapis.com", True), ("www.zohoapis.com", True), ("sandbox.zohoapis.eu", True), ("accounts.zoho.com", True),
    ("content.zohoapis.in", True), ("example.com", False), ("zohoapis.com.evil.example", False),
    ("notzohoapis.com", False), ("accounts.zoho.com.evil.example", False)])
def test_only_zoho_hosts_are_answered(host: str, zoho: bool) -> None:
    assert is_zoho_host(host) is zoho


def test_a_zoho_host_reaches_the_emulator_over_verified_tls(proxied) -> None:
    emulator, proxy = proxied
    proxies = {"https": proxy.url}
    r = requests.get("https://www.zohoapis.com/crm/v2/org", proxies=proxies, verify=str(proxy.authority.ca_file),
                     timeout=10)
    assert r.status_code == 401 and r.json()["code"] == "AUTHENTICATION_FAILURE"  # the emulator's own answer
    token = requests.post("https://accounts.zoho.com/oauth/v2/token", proxies=proxies,
                          verify=str(proxy.authority.ca_file), timeout=10,
                          data={"grant_type": "refresh_token", "client_id": "x", "client_secret": "y",
                                "refresh_token": "z"})
    assert token.status_code == 200 and token.json() == {"error": "invalid_client"}


def test_any_other_host_is_refused(proxied) -> None:
    _, proxy = proxied
    port = int(proxy.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 403")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET http://zohoapis.com/crm/v2/org HTTP/1.1\r\nHost: zohoapis.com\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 403")  # plain-HTTP forwarding is not offered at all
