from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from watchdog.events import (
    DirCreatedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
)

from attest_pipeline.config import load_config
from attest_pipeline.errors import ConfigError
from attest_pipeline.filing import Filed
from attest_pipeline.inbox import StateLock
from attest_pipeline.models import Status
from attest_pipeline.pipeline import Pipeline
from attest_pipeline.registry import load_registry
from attest_pipeline.run_summary import Summary
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.watch import (
    InboxWatcher,
    use_polling,
    watch,
)
from attest_pipeline.watch_events import Hints
from tests.conftest import ROOT, write_config

QUIET = 0.3
WATCH: dict[str, object] = {
    "quiet_period": QUIET, "rescan_interval": 2.0, "poll_interval": 0.2,
    "unreadable_after": 1.5,
}


# ------------------------------------------------------------------------ documents


def andpc_pdf(n: int) -> bytes:
    """A DPC attestation for DUPONT Jean-Pierre (on the test roster), unique per ``n``."""
    return make_pdf([[
        "Agence nationale du Développement Professionnel Continu",
        "ATTESTATION DE PARTICIPATION",
        "Organisme DPC n° 1234",
        f"Action DPC n° {12345600000 + n}",
        "Titre : Prise en charge du diabète de type 2 en soins primaires",
        "Nous attestons que Dr Jean-Pierre DUPONT",
        "RPPS : 10005682603",
        "a participé à l'action de Formation continue",
        "du 12 au 14 mars 2025",
    ]])


def letter_pdf(n: int) -> bytes:
    """A PDF that is no attestation (review)."""
    return make_pdf([f"Compte rendu de réunion numéro {n}\nOrdre du jour : budget."])


def mixed(n: int) -> tuple[str, bytes]:
    """The n-th file of a burst: attestations, letters, and a few non-PDF files."""
    if n % 10 == 9:
        return f"photo-{n:03d}.jpg", b"\xff\xd8\xff\xe0 JPEG " + str(n).encode() * 50
    if n % 5 == 4:
        return f"lettre-{n:03d}.pdf", letter_pdf(n)
    return f"attestation-{n:03d}.pdf", andpc_pdf(n)


def expected(name: str) -> tuple[str, str]:
    """The outcome a file of :func:`mixed` must have: (status, reasons as stored)."""
    if name.startswith("photo-"):
        return "reject", '["unsupported_type"]'
    if name.startswith("lettre-"):
        return "review", '["no_plugin"]'
    return "file", "[]"


def outcomes(root: Path) -> dict[str, tuple[str, str]]:
    db = sqlite3.connect(f"file:{root / 'state' / 'attest.sqlite3'}?mode=ro", uri=True)
    try:
        return {name: (status, reasons) for name, status, reasons in db.execute(
            "SELECT d.name, a.status, a.reasons FROM attestations a "
            "JOIN documents d ON d.id = a.document_id")}
    finally:
        db.close()


def drop(inbox: Path, name: str, data: bytes) -> Path:
    """Put a complete file into the inbox at once, as a move from the same disk does."""
    staging = inbox.parent / "staging"
    staging.mkdir(exist_ok=True)
    (staging / name).write_bytes(data)
    os.rename(staging / name, inbox / name)
    return inbox / name


# ------------------------------------------------------------------------- workspace


@pytest.fixture
def config_path(tmp_path: Path, roster: Path) -> Path:
    return write_config(tmp_path, roster, watch=WATCH, run={"jobs": 2})


def documents(root: Path) -> list[sqlite3.Row]:
    path = root / "state" / "attest.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return list(db.execute("SELECT * FROM documents ORDER BY id"))
    except sqlite3.OperationalError:  # the schema is not written yet
        return []
    finally:
        db.close()


def attestations(root: Path, name: str) -> list[sqlite3.Row]:
    db = sqlite3.connect(f"file:{root / 'state' / 'attest.sqlite3'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return list(db.execute(
            "SELECT a.* FROM attestations a JOIN documents d ON d.id = a.document_id "
            "WHERE d.name = ?", (name,)))
    finally:
        db.close()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def account(root: Path, inputs: dict[str, bytes]) -> None:
    """Every input is recorded once, archived byte for byte, and its outcome is on disk."""
    rows = documents(root)
    by_sha: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        by_sha.setdefault(row["sha256"], []).append(row)
    assert len(rows) == len(inputs), f"{len(rows)} documents recorded for {len(inputs)} inputs"
    for name, data in inputs.items():
        sha = hashlib.sha256(data).hexdigest()
        assert len(by_sha.get(sha, [])) == 1, f"{name} recorded {len(by_sha.get(sha, []))} times"
        row = by_sha[sha][0]
        assert row["name"] == name
        assert Path(row["archive"]).read_bytes() == data
        outcomes = attestations(root, name)
        assert outcomes, f"{name} has no outcome"
        if len(outcomes) == 1:
            assert outcomes[0]["path"], f"{name}: {outcomes[0]['status']} without a file"
            assert Path(outcomes[0]["path"]).read_bytes() == data
        for outcome in outcomes:
            where = Path(outcome["path"])
            assert where.is_relative_to(root / {"file": "dossiers", "review": "review",
                                                "reject": "quarantine"}[outcome["status"]])
        assert not (root / "inbox" / name).exists()
    work = root / "state" / "work"
    assert not work.exists() or not list(work.iterdir())


class Watching:
    """A watcher running in a thread of the test, as ``attest watch`` runs it."""

    def __init__(self, config_path: Path, **options: object) -> None:
        config = load_config(config_path)
        self.pipeline = Pipeline(config, load_registry(config.plugins))
        self.root = config_path.parent
        self.inbox = config.paths.inbox
        self.options = options
        self.stop = threading.Event()
        self.started = threading.Event()
        self.messages: list[str] = []
        self.filed: list[tuple[str, list[Filed]]] = []
        self.watcher: InboxWatcher | None = None
        self.summary: Summary | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.summary = watch(
                self.pipeline, stop=self.stop, say=self.messages.append,
                on_document=lambda name, filed: self.filed.append((name, filed)),
                on_start=self._started, **self.options,  # type: ignore[arg-type]
            )
        except BaseException as error:
            self.error = error
        finally:
            self.started.set()

    def _started(self, watcher: InboxWatcher) -> None:
        self.watcher = watcher
        self.started.set()

    def names(self) -> list[str]:
        return [name for name, _ in self.filed]

    def outcome(self, name: str) -> list[Filed]:
        return next(filed for n, filed in self.filed if n == name)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the watcher did not stop"
        if self.error is not None:
            raise self.error


@contextmanager
def watching(config_path: Path, **options: object) -> Iterator[Watching]:
    running = Watching(config_path, **options)
    running.thread.start()
    try:
        assert running.started.wait(30), "the watcher did not start"
        yield running
    finally:
        running.finish()


def watch_argv(config_path: Path) -> list[str]:
    """``attest watch`` as a process."""
    return [sys.executable, "-m", "attest_pipeline", "--config", str(config_path), "watch"]


def attest(config_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attest_pipeline", "--config", str(config_path), *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )


# --------------------------------------------------------------------------- Hints


def test_hints_keep_top_level_files_for_us_only(tmp_path: Path) -> None:
    hints = Hints(tmp_path)
    inbox = str(tmp_path)
    hints.dispatch(FileCreatedEvent(f"{inbox}/a.pdf"))
    hints.dispatch(FileModifiedEvent(f"{inbox}/a.pdf"))
    hints.dispatch(FileClosedEvent(f"{inbox}/b.jpg"))
    hints.dispatch(FileMovedEvent("/elsewhere/c.pdf", f"{inbox}/c.pdf"))
    hints.dispatch(FileMovedEvent(f"{inbox}/d.pdf.part", f"{inbox}/d.pdf"))
    hints.dispatch(FileCreatedEvent(f"{inbox}/scanner/inner.pdf"))
    hints.dispatch(FileCreatedEvent(f"{inbox}/~$draft.docx"))
    hints.dispatch(DirCreatedEvent(f"{inbox}/scanner"))
    hints.dispatch(object())  # never raises into watchdog's thread
    taken = hints.take(0)
    assert sorted(p.name for p in taken) == ["a.pdf", "b.jpg", "c.pdf", "d.pdf"]
    assert hints.take(0) == []


def test_hints_wake_a_waiting_loop(tmp_path: Path) -> None:
    hints = Hints(tmp_path)
    timer = threading.Timer(0.1, hints.add, [str(tmp_path / "a.pdf")])
    started = time.monotonic()
    timer.start()
    assert hints.take(5.0) == [tmp_path / "a.pdf"]
    assert time.monotonic() - started < 2.0


# ------------------------------------------------------------------- configuration


def test_polling_follows_the_flag_then_the_config(tmp_path: Path, roster: Path) -> None:
    config = load_config(write_config(tmp_path, roster))
    assert use_polling(config, None) is False  # a local disk
    assert use_polling(config, True) is True
    polled = load_config(write_config(tmp_path, roster, watch={"polling": True}))
    assert use_polling(polled, None) is True
    assert use_polling(polled, False) is False


def test_watch_refuses_a_missing_inbox(tmp_path: Path, roster: Path) -> None:
    config = load_config(write_config(tmp_path, roster))
    config.paths.inbox.rmdir()
    pipeline = Pipeline(config, load_registry(config.plugins))
    with pytest.raises(ConfigError, match="inbox"):
        watch(pipeline, stop=threading.Event())


def test_watch_refuses_state_on_a_network_file_system(
    tmp_path: Path, roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(write_config(tmp_path, roster))
    pipeline = Pipeline(config, load_registry(config.plugins))
    monkeypatch.setattr("attest_pipeline.filesystems.filesystem_type", lambda path: "cifs")
    with pytest.raises(ConfigError, match="network file system"):
        watch(pipeline, stop=threading.Event())


# ------------------------------------------------------------------ the real watcher


def test_files_already_there_and_interrupted_claims_are_taken_at_start(
    config_path: Path,
) -> None:
    root = config_path.parent
    (root / "inbox" / "waiting.pdf").write_bytes(andpc_pdf(10))
    work = root / "state" / "work"
    work.mkdir(parents=True)
    (work / "0123abcd__interrupted.pdf").write_bytes(andpc_pdf(11))
    with watching(config_path) as running:
        wait_until(lambda: len(running.filed) == 2, 20, "both documents")
    assert sorted(running.names()) == ["interrupted.pdf", "waiting.pdf"]
    account(root, {"waiting.pdf": andpc_pdf(10), "interrupted.pdf": andpc_pdf(11)})
    assert running.summary is not None and running.summary.documents == 2
    assert "watching" in running.messages[0]


def test_a_dropped_attestation_is_filed_into_its_dossier(config_path: Path) -> None:
    root = config_path.parent
    with watching(config_path) as running:
        assert running.watcher is not None and running.watcher.events.observer is not None
        drop(running.inbox, "first.pdf", andpc_pdf(21))  # starts the worker processes
        wait_until(lambda: bool(running.filed), 20, "the first attestation")
        time.sleep(0.6)  # an idle inbox
        dropped = time.monotonic()
        drop(running.inbox, "attestation.pdf", andpc_pdf(20))
        wait_until(lambda: len(running.filed) == 2, 20, "the attestation")
        latency = time.monotonic() - dropped
    [item] = running.outcome("attestation.pdf")
    assert item.record.rpps == "10005682603"
    assert item.path is not None and item.path.is_relative_to(root / "dossiers")
    assert item.path.parent.name == "10005682603_DUPONT_Jean-Pierre"
    assert latency < 2.0 + QUIET
    account(root, {"first.pdf": andpc_pdf(21), "attestation.pdf": andpc_pdf(20)})


def test_a_slow_pdf_write_is_taken_once_and_whole(config_path: Path) -> None:
    root = config_path.parent
    data = andpc_pdf(30)
    step = len(data) // 6 + 1
    with watching(config_path) as running:
        target = running.inbox / "slow.pdf"
        with open(target, "wb") as handle:
            for start in range(0, len(data), step):
                handle.write(data[start : start + step])
                handle.flush()
                time.sleep(0.5)  # longer than the quiet period: the PDF check holds it
        wait_until(lambda: bool(running.filed), 20, "the slow PDF")
        time.sleep(1.0)
    assert running.names() == ["slow.pdf"]
    account(root, {"slow.pdf": data})
    assert any("waiting for slow.pdf" in m for m in running.messages)


def test_a_slow_write_of_another_type_waits_for_quiet(config_path: Path) -> None:
    root = config_path.parent
    data = b"PK\x03\x04" + os.urandom(20_000)
    with watching(config_path) as running:
        target = running.inbox / "notes.docx"
        with open(target, "wb") as handle:
            for start in range(0, len(data), 1000):
                handle.write(data[start : start + 1000])
                handle.flush()
                time.sleep(0.1)  # 2 s of writing, never quiet for 0.3 s
        wait_until(lambda: bool(running.filed), 20, "the docx")
        time.sleep(0.5)
    [item] = running.outcome("notes.docx")
    assert item.record.reasons == ("unsupported_type",)
    account(root, {"notes.docx": data})


def test_a_file_moved_in_from_elsewhere(config_path: Path, tmp_path: Path) -> None:
    root = config_path.parent
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    (elsewhere / "moved.pdf").write_bytes(andpc_pdf(40))
    os.utime(elsewhere / "moved.pdf", (1_600_000_000, 1_600_000_000))  # an old file
    with watching(config_path) as running:
        time.sleep(0.3)
        os.rename(elsewhere / "moved.pdf", running.inbox / "moved.pdf")
        wait_until(lambda: bool(running.filed), 20, "the moved file")
    assert running.names() == ["moved.pdf"]
    account(root, {"moved.pdf": andpc_pdf(40)})


def test_junk_is_left_alone_and_other_types_are_quarantined(config_path: Path) -> None:
    root = config_path.parent
    inbox = root / "inbox"
    junk = [".hidden.pdf", "~$lettre.docx", "scan.pdf.part", "a.crdownload", "b.tmp",
            ".DS_Store", "Thumbs.db"]
    with watching(config_path) as running:
        for name in junk:
            (inbox / name).write_bytes(andpc_pdf(50))
        (inbox / "scanner").mkdir()
        (inbox / "scanner" / "inner.pdf").write_bytes(andpc_pdf(51))
        (root / "real.pdf").write_bytes(andpc_pdf(52))
        (inbox / "link.pdf").symlink_to(root / "real.pdf")
        drop(inbox, "cv.docx", b"PK\x03\x04 a word document")
        drop(inbox, "photo.jpg", b"\xff\xd8\xff\xe0 a photo")
        wait_until(lambda: len(running.filed) == 2, 20, "the two non-PDF files")
        time.sleep(2.5)  # one full rescan more
    assert sorted(running.names()) == ["cv.docx", "photo.jpg"]
    for name in ("cv.docx", "photo.jpg"):
        [item] = running.outcome(name)
        assert item.record.reasons == ("unsupported_type",)
        assert item.path is not None and item.path.parent == root / "quarantine"
    for name in [*junk, "link.pdf", "scanner/inner.pdf"]:
        assert (inbox / name).exists(), name
    assert len(documents(root)) == 2


def test_an_unreadable_pdf_is_quarantined_after_the_wait_and_a_non_pdf_at_once(
    config_path: Path,
) -> None:
    root = config_path.parent
    with watching(config_path) as running:
        drop(running.inbox, "expired.pdf", b"<html>Votre session a expire</html>")
        truncated = andpc_pdf(60)[:900]
        drop(running.inbox, "truncated.pdf", truncated)
        # A page that can never begin a PDF is taken once quiet; a truncated PDF may still
        # be being written, and waits.
        wait_until(lambda: len(running.filed) == 1, 20, "the page that is no PDF")
        assert running.names() == ["expired.pdf"]
        wait_until(lambda: len(running.filed) == 2, 20, "the unreadable files")
    assert running.outcome("expired.pdf")[0].record.reasons == ("not_pdf",)
    assert running.outcome("truncated.pdf")[0].record.reasons == ("corrupt",)
    assert any("waiting for truncated.pdf" in m for m in running.messages)
    account(root, {"expired.pdf": b"<html>Votre session a expire</html>",
                   "truncated.pdf": truncated})


def test_a_burst_of_200_files_is_processed_once_each(config_path: Path) -> None:
    root = config_path.parent
    inputs = dict(mixed(n) for n in range(200))
    with watching(config_path) as running:
        for name, data in inputs.items():
            drop(running.inbox, name, data)
        wait_until(lambda: len(running.filed) == 200, 90, "the burst")
        time.sleep(2.5)  # a rescan more: nothing comes twice
    assert sorted(running.names()) == sorted(inputs)
    account(root, inputs)
    assert outcomes(root) == {name: expected(name) for name in inputs}
    assert running.summary is not None and running.summary.documents == 200
    assert running.summary.count(Status.QUARANTINE) == 20  # the photos
    assert running.summary.count(Status.REVIEW) == 20  # the letters
    assert running.summary.count(Status.FILE) == 160
    assert "200 document(s)" in running.summary.text()


def test_a_document_that_fails_is_retried_alone_and_the_others_go_through(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attest_pipeline.inbox import claim as real_claim

    root = config_path.parent
    refused: list[Path] = []

    def claim(path: Path, work: Path, *expected: object) -> object:
        if path.name == "locked.pdf" and len(refused) < 2:  # a share's lock, twice
            refused.append(path)
            raise PermissionError(13, "Permission denied", str(path))
        return real_claim(path, work, *expected)  # type: ignore[arg-type]

    monkeypatch.setattr("attest_pipeline.pipeline.claim", claim)
    monkeypatch.setattr("attest_pipeline.readiness.RETRY_FIRST", 0.5)
    inputs = {f"ok-{n}.pdf": andpc_pdf(200 + n) for n in range(3)}
    inputs["locked.pdf"] = andpc_pdf(210)
    inputs.update({f"ok-{n}.pdf": andpc_pdf(200 + n) for n in range(3, 6)})
    with watching(config_path) as running:
        for name, data in inputs.items():
            drop(running.inbox, name, data)
        wait_until(lambda: len(running.filed) == len(inputs), 30, "every document")
    assert len(refused) == 2  # with its batch, then alone; then it went through
    assert any("one by one" in m for m in running.messages)
    assert any("error on locked.pdf" in m and "tried again in 0.5 s" in m
               for m in running.messages)
    assert sorted(running.names()) == sorted(inputs)
    account(root, inputs)


def test_a_missed_event_is_caught_by_the_rescan(tmp_path: Path, roster: Path) -> None:
    config_path = write_config(tmp_path, roster, watch={**WATCH, "rescan_interval": 0.5})
    with watching(config_path) as running:
        assert running.watcher is not None
        running.watcher.hints.add = lambda path: None  # type: ignore[method-assign]
        drop(running.inbox, "unseen.pdf", andpc_pdf(70))
        wait_until(lambda: bool(running.filed), 20, "the rescan to find the file")
    assert running.names() == ["unseen.pdf"]


def test_an_inbox_deleted_and_created_again_is_watched_again(config_path: Path) -> None:
    with watching(config_path) as running:
        running.inbox.rmdir()
        wait_until(lambda: any("missing" in m for m in running.messages), 10, "the missing inbox")
        running.inbox.mkdir()
        wait_until(lambda: any("is back" in m for m in running.messages), 10, "the inbox back")
        drop(running.inbox, "after.pdf", andpc_pdf(75))
        wait_until(lambda: bool(running.filed), 10, "the document")
        assert running.watcher is not None and running.watcher.events.alive()
    assert running.names() == ["after.pdf"]
    assert any("watching the inbox again" in m for m in running.messages)


def test_polling_mode_follows_the_inbox_without_events(config_path: Path) -> None:
    root = config_path.parent
    with watching(config_path, polling=True) as running:
        assert running.watcher is not None
        assert running.watcher.events.observer is None and running.watcher.polling
        assert "polling every 0.2 s" in running.messages[-1]
        drop(running.inbox, "polled.pdf", andpc_pdf(80))
        data = andpc_pdf(81)
        with open(running.inbox / "slow-polled.pdf", "wb") as handle:
            for start in range(0, len(data), 500):
                handle.write(data[start : start + 500])
                handle.flush()
                time.sleep(0.25)
        wait_until(lambda: len(running.filed) == 2, 20, "the polled files")
    assert sorted(running.names()) == ["polled.pdf", "slow-polled.pdf"]
    account(root, {"polled.pdf": andpc_pdf(80), "slow-polled.pdf": data})


def test_stop_returns_promptly_when_idle(config_path: Path) -> None:
    running = Watching(config_path)
    running.thread.start()
    assert running.started.wait(30)
    time.sleep(0.3)
    stopped = time.monotonic()
    running.finish()
    assert time.monotonic() - stopped < 2.0
    assert running.summary is not None and running.summary.documents == 0


def test_the_watcher_waits_while_another_process_holds_the_inbox(config_path: Path) -> None:
    root = config_path.parent
    lock = StateLock(root / "state")
    assert lock.acquire()
    running = Watching(config_path)
    running.thread.start()
    try:
        drop(root / "inbox", "later.pdf", andpc_pdf(90))
        wait_until(lambda: any("waiting for it to finish" in m for m in running.messages),
                   10, "the busy message")
        time.sleep(0.5)
        assert running.watcher is None and documents(root) == []
        lock.release()
        wait_until(lambda: bool(running.filed), 20, "the document after the lock is free")
    finally:
        lock.release()
        running.finish()
    assert running.names() == ["later.pdf"]


def test_a_concurrent_run_leaves_the_inbox_to_the_watcher(config_path: Path) -> None:
    root = config_path.parent
    inputs = {f"attestation-{n}.pdf": andpc_pdf(100 + n) for n in range(20)}
    with watching(config_path) as running:
        for name, data in inputs.items():
            drop(running.inbox, name, data)
        result = attest(config_path, "run")
        wait_until(lambda: len(running.filed) == 20, 30, "the watcher")
    assert result.returncode == 0, result.stderr
    assert "another attest process" in result.stderr
    assert "document(s) in" not in result.stdout  # it processed nothing
    assert sorted(running.names()) == sorted(inputs)
    account(root, inputs)


def test_sigterm_during_a_burst_loses_nothing(config_path: Path) -> None:
    root = config_path.parent
    inputs = dict(mixed(n) for n in range(150))
    process = subprocess.Popen(
        watch_argv(config_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    first_line = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            first_line.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        names = list(inputs)
        for name in names[:60]:
            drop(root / "inbox", name, inputs[name])
        assert first_line.wait(60), "the watcher filed nothing"
        time.sleep(0.1)  # into the next batch, with documents in the workers
        process.send_signal(signal.SIGTERM)
        for name in names[60:]:  # the burst goes on while the watcher stops
            drop(root / "inbox", name, inputs[name])
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(timeout=10)
    stderr = process.stderr.read()
    assert "stopped:" in stderr
    done_by_watcher = len(documents(root))
    assert 0 < done_by_watcher < len(inputs)
    assert len(lines) >= done_by_watcher  # one line per attestation
    result = attest(config_path, "run")
    assert result.returncode == 0, result.stderr
    account(root, inputs)
    assert outcomes(root) == {name: expected(name) for name in inputs}  # none cut short


def test_links_fifos_and_folders_are_said_once_and_never_followed(
    config_path: Path, tmp_path: Path
) -> None:
    root = config_path.parent
    target = tmp_path / "elsewhere.pdf"
    target.write_bytes(andpc_pdf(80))
    with watching(config_path, polling=True) as running:
        (running.inbox / "link.pdf").symlink_to(target)
        os.mkfifo(running.inbox / "pipe.pdf")
        (running.inbox / "scans").mkdir()
        drop(running.inbox, "real.pdf", andpc_pdf(81))
        wait_until(lambda: bool(running.filed), 20, "the document")
        wait_until(lambda: sum("ignored:" in m for m in running.messages) == 3, 10, "3 lines")
        time.sleep(3 * QUIET)  # more scans: nothing said again
    said = [m for m in running.messages if m.startswith("ignored:")]
    assert sorted(said) == [
        "ignored: link.pdf is a symbolic link, never followed, left in the inbox",
        "ignored: pipe.pdf is a FIFO, never followed, left in the inbox",
        "ignored: scans is a folder, never followed, left in the inbox",
    ]
    assert running.summary is not None
    assert running.summary.ignored == {"FIFO": 1, "folder": 1, "symbolic link": 1}
    assert running.names() == ["real.pdf"]
    assert (running.inbox / "link.pdf").is_symlink() and target.exists()
    assert sorted(r["name"] for r in documents(root)) == ["real.pdf"]
