"""Accounts of the web page: salted scrypt hashes, the users file, attest user add."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from attest_pipeline.errors import ConfigError, UsageError
from attest_pipeline.web.accounts import (
    add_user,
    authenticate,
    hash_password,
    read_users,
    verify_password,
)
from tests.web_state import attest


def test_hashes_are_salted_and_verify() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("wrong horse", first)
    assert not verify_password("correct horse", "md5$abc")
    assert not verify_password("correct horse", "scrypt$x$y")


def test_users_file(tmp_path: Path) -> None:
    path = tmp_path / "users"
    assert read_users(path) == {}
    assert add_user(path, "claire", "motdepasse1") is True
    assert add_user(path, "paul", "motdepasse2") is True
    assert add_user(path, "claire", "autrechose") is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "motdepasse" not in path.read_text()
    assert authenticate(path, "claire", "autrechose")
    assert not authenticate(path, "claire", "motdepasse1")
    assert authenticate(path, "paul", "motdepasse2")
    assert not authenticate(path, "nobody", "motdepasse2")
    with pytest.raises(UsageError, match="at least 8"):
        add_user(path, "claire", "court")
    with pytest.raises(UsageError, match="user name"):
        add_user(path, "a b:c", "motdepasse1")
    path.write_text("garbage line\n")
    with pytest.raises(ConfigError, match="users:1"):
        read_users(path)


def test_user_add_through_the_cli(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[paths]\ninbox = "inbox"\ndossiers = "d"\nreview = "r"\nquarantine = "q"\n'
        'state = "s"\nroster = "roster.csv"\n',
        encoding="utf-8",
    )
    done = attest("user", "add", "claire", "--password", "motdepasse1", cwd=tmp_path)
    assert done.returncode == 2 and "set [serve] accounts" in done.stderr
    assert "Traceback" not in done.stderr
    config.write_text(config.read_text() + '[serve]\naccounts = "users"\n', encoding="utf-8")
    done = attest("user", "add", "claire", "--password", "motdepasse1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "added claire" in done.stdout
    assert authenticate(tmp_path / "users", "claire", "motdepasse1")
    done = attest("user", "add", "claire", "--password", "court", cwd=tmp_path)
    assert done.returncode == 2 and "at least 8 characters" in done.stderr
    # A name signs decisions, which take at most 60 characters: no longer account name.
    done = attest("user", "add", "c" * 61, "--password", "motdepasse1", cwd=tmp_path)
    assert done.returncode == 2 and "use 1 to 60 letters" in done.stderr
    done = attest("user", "add", "c" * 60, "--password", "motdepasse1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_user_add_asks_for_the_password_twice(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from attest_pipeline.cli import cli

    config = tmp_path / "config.toml"
    config.write_text(
        '[paths]\ninbox = "inbox"\ndossiers = "d"\nreview = "r"\nquarantine = "q"\n'
        'state = "s"\nroster = "roster.csv"\n[serve]\naccounts = "users"\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    done = runner.invoke(
        cli, ["--config", str(config), "user", "add", "paul"], input="secret123\nsecret123\n"
    )
    assert done.exit_code == 0, done.output
    assert "added paul" in done.output
    assert authenticate(tmp_path / "users", "paul", "secret123")
    mismatch = runner.invoke(
        cli, ["--config", str(config), "user", "add", "paul"], input="secret123\nother123\n"
    )
    assert mismatch.exit_code != 0 and authenticate(tmp_path / "users", "paul", "secret123")
