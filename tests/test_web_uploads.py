"""Uploads: written into the inbox only, under the server's name, size-limited, then filed."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest

from attest_pipeline.config import load_config
from attest_pipeline.inbox import candidate_names
from attest_pipeline.store import Store
from attest_pipeline.web.uploads import (
    PREFIX,
    Runner,
    TooLarge,
    save_upload,
    server_name,
    upload_states,
)
from tests.web_state import filled_workspace, new_attestation


def test_server_name_keeps_nothing_dangerous() -> None:
    for sent in ("../../etc/passwd", "..\\..\\win.ini", "/abs/x.pdf", "a b$(rm).PDF", ".hidden"):
        name = server_name(sent)
        assert name.startswith(PREFIX) and "/" not in name and "\\" not in name
        assert ".." not in name and not name.startswith(".")
    assert server_name("Attestation DPC.PDF").endswith("-Attestation-DPC.pdf")
    assert server_name("noextension").endswith(".bin")
    assert server_name("a.pdf") != server_name("a.pdf")


def test_save_upload_writes_into_the_inbox_only(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    name = save_upload(inbox, "../../evil.pdf", io.BytesIO(b"%PDF-1.4 data"), 1000)
    assert os.listdir(tmp_path) == ["inbox"]
    assert (inbox / name).read_bytes() == b"%PDF-1.4 data"
    assert candidate_names(inbox) == [name]
    with pytest.raises(TooLarge):
        save_upload(inbox, "big.pdf", io.BytesIO(b"x" * 1001), 1000)
    assert os.listdir(inbox) == [name]


def test_an_upload_goes_through_the_pipeline(tmp_path: Path) -> None:
    root = filled_workspace(tmp_path)
    paths = load_config(root / "config.toml").paths
    name = save_upload(paths.inbox, "nouvelle.pdf", io.BytesIO(new_attestation("Asthme")), 10**7)
    with Store(paths.database, readonly=True) as store:
        (state,) = upload_states(store, paths, [name])
    assert state.outcome == "waiting" and not state.settled
    runner = Runner(
        [sys.executable, "-m", "attest_pipeline", "--config", str(root / "config.toml"), "run"]
    )
    runner.kick()
    runner.kick()  # a second upload while the first run goes on: one more run after it
    deadline = time.monotonic() + 120
    while runner.running and time.monotonic() < deadline:
        time.sleep(0.1)
    with Store(paths.database, readonly=True) as store:
        (state,) = upload_states(store, paths, [name])
        assert upload_states(store, paths, ["depot-unknown.pdf"])[0].outcome == "unknown"
    assert state.outcome == "file" and state.settled
    (attestation,) = state.attestations
    assert attestation.rpps == "10432860582" and attestation.action == "1.A"
    assert attestation.who == "DUPONT Jean-Pierre"
