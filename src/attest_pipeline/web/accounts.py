"""Accounts for the web page: a users file of salted scrypt hashes, and checking a password.

The file (``[serve] accounts``) holds one line per person, ``name:scrypt$n$r$p$salt$hash``
with the salt and hash in hex; it is written by ``attest user add NAME`` with mode 0600 and
replaced atomically. scrypt (``hashlib.scrypt``, RFC 7914) is memory-hard, so a stolen file
is slow to attack; n=2**14, r=8, p=1 costs about 50 ms per check here, once per login.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from attest_pipeline.errors import ConfigError, UsageError
from attest_pipeline.service.workspace import MAX_NAME

#: scrypt's cost parameters for new hashes (stored with each hash, so they can change).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD = 8

# The name signs each decision taken on the web page: no longer than a decision's name.
_NAME = re.compile(rf"^[\w.@-]{{1,{MAX_NAME}}}$", re.UNICODE)


def hash_password(password: str) -> str:
    """A new salted hash of ``password`` (``scrypt$n$r$p$salt$hash``)."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        computed = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed, bytes.fromhex(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=HASH_BYTES
    )


def check_name(name: str) -> str:
    """A user name as stored: letters, digits, ``.``, ``@``, ``-``, ``_``; else a UsageError."""
    if not _NAME.match(name):
        raise UsageError(
            f"user name {name!r}: use 1 to {MAX_NAME} letters, digits, '.', '@', '-' or '_'"
        )
    return name


def read_users(path: Path) -> dict[str, str]:
    """The users file: name to stored hash (empty when the file does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(path, f"cannot read the accounts: {error}") from None
    users = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, stored = line.partition(":")
        if not sep or not stored.startswith("scrypt$"):
            raise ConfigError(path, "not a line 'name:scrypt$...' of attest user add", number)
        users[name] = stored
    return users


def add_user(path: Path, name: str, password: str) -> bool:
    """Add ``name`` or change its password; returns whether the name was new."""
    check_name(name)
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")
    users = read_users(path)
    new = name not in users
    users[name] = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("# attest-pipeline accounts (attest user add NAME)\n")
        handle.writelines(f"{user}:{stored}\n" for user, stored in sorted(users.items()))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return new


def authenticate(path: Path, name: str, password: str) -> bool:
    """Whether ``name`` is an account of the file and ``password`` is its password."""
    stored = read_users(path).get(name)
    if stored is None:
        # The same work for an unknown name, so that timing does not tell which names exist.
        _scrypt(password, bytes(SALT_BYTES), SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    return verify_password(password, stored)
