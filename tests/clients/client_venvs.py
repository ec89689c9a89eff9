"""Each third-party client in a virtual environment of its own, built once per set of pinned requirements.

The clients pin libraries that clash with ours (Airbyte's CDK wants cryptography 42, pydantic 1, an old
jsonschema), so each gets ``python -m venv`` + pip from ``requirements-<name>.txt`` beside this file. A venv
lives in ``.client-venvs/<name>-<hash of its requirements>/`` (git-ignored) and is reused while that file is
unchanged; a lock file keeps two test workers from building the same one at once.
"""
from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE.parents[1] / ".client-venvs"


def requirements_file(name: str) -> Path:
    return HERE / f"requirements-{name}.txt"


def client_venv(name: str) -> Path:
    """The venv for ``name`` (``sdk`` or ``airbyte``), built from its pinned requirements if not built yet."""
    requirements = requirements_file(name)
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    folder = CACHE / f"{name}-{digest}"
    ready = folder / ".ready"
    if ready.exists():
        return folder
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r", str(requirements)], check=True)
        for stale in CACHE.glob(f"{name}-*"):
            if stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
        ready.touch()
    return folder


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def trust_authority(venv: Path, ca_file: Path) -> None:
    """Add a test authority to the venv's trust store (certifi's bundle), once.

    This is configuration of the environment we built, as a company adds its own CA; the client's code is
    untouched. Needed because requests' ``Session.send`` (Airbyte's stream reads) verifies against certifi's
    bundle and ignores ``REQUESTS_CA_BUNDLE``.
    """
    bundle = site_packages(venv) / "certifi" / "cacert.pem"
    pem = ca_file.read_text()
    with open(CACHE / "trust.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if pem.strip() not in bundle.read_text():
            with open(bundle, "a") as out:
                out.write("\n# Zoho emulator test CA (tests/clients/client_venvs.py)\n" + pem)
