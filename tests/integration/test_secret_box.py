"""Specification of encryption at rest: where the key comes from, and that nothing leaks."""
from __future__ import annotations

import logging
import stat
from pathlib import Path
from threading import Thread

import pytest

from sync_engine.store.secret_box import (
    ENV_VAR,
    KEY_FILE_NAME,
    SecretBox,
    SecretDecryptError,
    SecretKeyError,
    generate_key,
)

TOKEN = "1000.refresh-token-that-must-never-show"


def test_round_trip_and_ciphertext_does_not_contain_the_plaintext() -> None:
    box = SecretBox(generate_key())
    sealed = box.encrypt(TOKEN)
    assert TOKEN.encode() not in sealed
    assert box.decrypt(sealed) == TOKEN
    assert box.encrypt(TOKEN) != sealed  # fresh IV every time


def test_key_from_the_environment_wins_over_the_key_file(tmp_path: Path) -> None:
    key = generate_key()
    box = SecretBox.from_environment(tmp_path, environ={ENV_VAR: f"  {key}\n"})
    assert SecretBox(key).decrypt(box.encrypt(TOKEN)) == TOKEN
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_without_the_environment_a_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "runtime" / "data"
    first = SecretBox.from_environment(data_dir, environ={})
    key_file = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = SecretBox.from_environment(data_dir, environ={})
    assert second.decrypt(first.encrypt(TOKEN)) == TOKEN
    assert [p.name for p in data_dir.iterdir()] == [KEY_FILE_NAME]


def test_threads_creating_the_key_file_together_agree_on_one_key(tmp_path: Path) -> None:
    boxes: list[SecretBox] = []
    threads = [Thread(target=lambda: boxes.append(SecretBox.from_environment(tmp_path, environ={})))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sealed = boxes[0].encrypt(TOKEN)
    assert all(box.decrypt(sealed) == TOKEN for box in boxes)


def test_a_key_file_readable_by_others_is_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / KEY_FILE_NAME).write_text(generate_key())
    (tmp_path / KEY_FILE_NAME).chmod(0o644)
    with caplog.at_level(logging.WARNING):
        SecretBox.from_environment(tmp_path, environ={})
    assert "chmod 600" in caplog.text


@pytest.mark.parametrize("bad_key", ["not-a-key", "c2hvcnQ=", "x" * 44, "!" * 44])
def test_a_malformed_key_gets_a_clear_error_that_does_not_echo_it(bad_key: str) -> None:
    with pytest.raises(SecretKeyError) as error:
        SecretBox.from_environment(environ={ENV_VAR: bad_key})
    message = str(error.value)
    assert ENV_VAR in message and "URL-safe base64" in message and "generate_key" in message
    assert bad_key not in message
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_no_key_and_no_data_dir_explains_what_to_set() -> None:
    with pytest.raises(SecretKeyError, match=ENV_VAR):
        SecretBox.from_environment(None, environ={})


def test_a_secret_sealed_with_another_key_is_refused_with_advice() -> None:
    sealed = SecretBox(generate_key()).encrypt(TOKEN)
    with pytest.raises(SecretDecryptError, match="reconnect the org"):
        SecretBox(generate_key()).decrypt(sealed)


def test_keys_rotate_the_first_encrypts_and_all_decrypt() -> None:
    old, new = generate_key(), generate_key()
    sealed_with_old = SecretBox(old).encrypt(TOKEN)
    rotated = SecretBox(f"{new},{old}")
    assert rotated.decrypt(sealed_with_old) == TOKEN
    assert SecretBox(new).decrypt(rotated.encrypt(TOKEN)) == TOKEN


def test_repr_and_str_never_show_the_key() -> None:
    key = generate_key()
    box = SecretBox.from_environment(environ={ENV_VAR: key})
    for text in (repr(box), str(box), f"{box}", repr([box])):
        assert key not in text and "hidden" in text
