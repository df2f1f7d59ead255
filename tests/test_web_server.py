"""Serving: loopback by default, another host only with accounts, the command line."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from attest_pipeline.config import load_config
from attest_pipeline.errors import ConfigError
from attest_pipeline.web.accounts import add_user
from attest_pipeline.web.server import check_serving
from tests.web_state import CONFIG, attest


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "roster.csv").write_text("rpps,last_name,first_name\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(CONFIG.format(extra=""), encoding="utf-8")
    return tmp_path


def test_non_loopback_needs_accounts(root: Path) -> None:
    config = load_config(root / "config.toml")
    assert config.serve.host == "127.0.0.1" and config.serve.loopback
    check_serving(config, config.serve)
    with pytest.raises(ConfigError, match="without accounts"):
        check_serving(config, replace(config.serve, host="0.0.0.0"))
    with_accounts = replace(config.serve, host="0.0.0.0", accounts=root / "users")
    with pytest.raises(ConfigError, match="no account yet"):
        check_serving(config, with_accounts)
    add_user(root / "users", "claire", "motdepasse1")
    check_serving(config, with_accounts)


def test_serve_refuses_a_network_host_through_the_cli(root: Path) -> None:
    done = attest("serve", "--host", "0.0.0.0", "--port", "0", cwd=root, timeout=60)
    assert done.returncode == 2
    assert "would open the dossiers to the network without accounts" in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr


def test_serve_config_is_checked(root: Path) -> None:
    path = root / "config.toml"
    path.write_text(path.read_text() + "\n[serve]\nport = 70000\n", encoding="utf-8")
    done = attest("serve", cwd=root, timeout=60)
    assert done.returncode == 2 and "[serve] port must be a whole number" in done.stderr


def test_serve_answers_on_loopback_and_stops(root: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "attest_pipeline", "--config", str(root / "config.toml"),
         "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        with urllib.request.urlopen(url.group(0), timeout=30) as answer:
            body = answer.read().decode()
        assert "Accueil" in body and 'lang="fr"' in body
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert process.returncode == 0
    assert "attest serve: stopped" in process.stderr.read()
