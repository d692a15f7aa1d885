"""Configuration: CLI flags over one TOML file over defaults, and the deployment secret.

One file configures a deployment (``kg build --config kg.toml``, ``kg serve --config kg.toml``); its
``[build]`` table holds the build's settings and ``[server]`` the server's. Flags given on the command
line win over the file.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any

from kg.publish.layout import Layout

SECRET_ENV = "KG_SECRET"


def load_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def resolve_secret(out_dir: Path, secret_file: Path | None = None) -> bytes:
    """The secret that keys person hashes: a given file, else ``$KG_SECRET``, else ``DIR/secret.key``.

    The default file is created once with 32 random bytes and kept with the output, so rebuilding the
    same folder keeps every person IRI; it is never published. Two deployments that must mint the same
    IRIs share the secret through the file or the environment.
    """
    if secret_file is not None:
        return Path(secret_file).read_bytes().strip()
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = Layout(Path(out_dir)).secret_key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_bytes().strip()
