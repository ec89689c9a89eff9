"""Encryption at rest for the secrets we keep: OAuth client secrets and refresh tokens.

A refresh token is a standing key to a customer's CRM, so the database file must be useless on its
own: values are Fernet tokens (AES-128-CBC + HMAC-SHA256, from ``cryptography``) and the key lives
elsewhere -- ``SYNC_SECRET_KEY`` in the environment / Streamlit secrets in production, or, so the
demo runs with no setup, a key file created once (mode 0600) in the data directory.

``SYNC_SECRET_KEY`` may hold several comma-separated keys to rotate: the first encrypts, all
decrypt. Neither keys nor plaintexts ever appear in a repr, str or error message.
"""
from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENV_VAR = "SYNC_SECRET_KEY"
KEY_FILE_NAME = "secret.key"

log = logging.getLogger(__name__)

_HOW_TO_MAKE_ONE = ("generate one with: python -c \"from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())\"")


class SecretKeyError(ValueError):
    """The key is missing or malformed; the message says how to fix it and never shows the key."""


class SecretDecryptError(ValueError):
    """A stored secret could not be decrypted: the key changed or the value was tampered with."""


class SecretBox:
    """Encrypts and decrypts short strings with the deployment's key(s)."""

    def __init__(self, keys: str | bytes | list[str | bytes], source: str = "the given key") -> None:
        raw = keys if isinstance(keys, list) else _split(keys)
        if not raw:
            raise SecretKeyError(f"{source} is empty; {_HOW_TO_MAKE_ONE}")
        try:
            fernets = [Fernet(key) for key in raw]
        except (ValueError, TypeError):
            raise SecretKeyError(
                f"{source} is not a valid key: each key must be 32 random bytes in URL-safe base64 "
                f"(44 characters ending in '='); {_HOW_TO_MAKE_ONE}") from None
        self._fernet = MultiFernet(fernets)
        self._source = source

    @classmethod
    def from_environment(cls, data_dir: str | Path | None = None,
                         environ: Mapping[str, str] | None = None) -> SecretBox:
        """The key from ``SYNC_SECRET_KEY``; without it, the key file in ``data_dir`` (created if absent)."""
        env = os.environ if environ is None else environ
        configured = env.get(ENV_VAR)
        if configured is not None and configured.strip():
            return cls(configured, source=ENV_VAR)
        if data_dir is None:
            raise SecretKeyError(f"{ENV_VAR} is not set and no data directory was given for a key file; "
                                 f"set {ENV_VAR} ({_HOW_TO_MAKE_ONE})")
        path = Path(data_dir) / KEY_FILE_NAME
        return cls(_read_or_create_key_file(path), source=f"the key file {path}")

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken:
            raise SecretDecryptError(
                f"a stored secret cannot be decrypted with {self._source}: the key was changed or lost "
                "since it was stored; restore the old key (it can stay as a second key in "
                f"{ENV_VAR}) or reconnect the org") from None

    def __repr__(self) -> str:
        return f"SecretBox(key from {self._source}, hidden)"

    __str__ = __repr__


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _split(keys: str | bytes) -> list[str | bytes]:
    text = keys.decode("ascii", errors="replace") if isinstance(keys, bytes) else keys
    return [part.strip() for part in text.split(",") if part.strip()]


def _read_or_create_key_file(path: Path) -> bytes:
    """Publish a new key with link(2) so it appears whole, and two processes starting together agree."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
        try:
            os.link(tmp, path)
            log.info("created a new secret key file at %s; back it up, or stored tokens are lost with it", path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    elif path.stat().st_mode & 0o077:
        log.warning("the key file %s is readable by other users; restrict it with chmod 600", path)
    return path.read_bytes().strip()
