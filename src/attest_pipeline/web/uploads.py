"""Uploads from the page: written into the inbox only, under a name the server chooses.

An upload becomes a file dropped into the inbox like any other, so it goes through the same
checks, claim and filing (``attest watch`` takes it; when no watcher holds the state lock,
the page starts an ``attest run`` of its own). The name is ``depot-<token>-<name>.<ext>``,
the original name sanitised by :func:`~attest_pipeline.filing.safe_component`: nothing sent
by the browser chooses where a file is written. The file is written as a hidden ``.part``
(which the inbox ignores), synced, then renamed, so a watcher never sees it half-written.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from attest_pipeline.config import Paths
from attest_pipeline.filing import safe_component, sync_folder
from attest_pipeline.store import Store

log = logging.getLogger("attest_pipeline")

PREFIX = "depot-"
CHUNK = 1 << 16


class TooLarge(Exception):
    """The upload went over the configured limit (nothing was kept)."""


def server_name(original: str) -> str:
    """The name under which an upload is written into the inbox."""
    path = Path(original.replace("\\", "/")).name
    stem, dot, ext = path.rpartition(".")
    if not dot:
        stem, ext = ext, "bin"
    token = secrets.token_hex(6)
    return f"{PREFIX}{token}-{safe_component(stem, 60)}.{safe_component(ext, 8).lower()}"


def save_upload(inbox: Path, original: str, stream: IO[bytes], limit: int) -> str:
    """Write one uploaded file into the inbox; returns its server-chosen name.

    Raises :class:`TooLarge` (and keeps nothing) past ``limit`` bytes.
    """
    name = server_name(original)
    temporary = inbox / f".{name}.part"
    written = 0
    try:
        with open(temporary, "xb") as handle:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise TooLarge(original)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temporary, inbox / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(inbox)
    return name


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one attestation of an upload."""

    attestation_id: int
    status: str
    rpps: str | None
    who: str
    action: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UploadState:
    """What became of one upload, for the page."""

    name: str
    #: ``waiting`` (in the inbox), ``processing`` (claimed), ``file``, ``review``,
    #: ``reject`` (quarantine), ``duplicate``, or ``unknown`` (not found anywhere).
    outcome: str
    document_id: int | None = None
    attestations: tuple[Outcome, ...] = ()

    @property
    def settled(self) -> bool:
        """Whether the pipeline has recorded its outcome."""
        return self.outcome not in ("waiting", "processing")


def upload_states(store: Store | None, paths: Paths, names: Sequence[str]) -> list[UploadState]:
    """The state of each upload, in the order given."""
    states = []
    for name in names:
        row = None
        if store is not None:
            row = store.db.execute(
                "SELECT id, outcome FROM documents WHERE name = ? ORDER BY id DESC LIMIT 1",
                (name,),
            ).fetchone()
        if store is not None and row is not None:
            outcomes = tuple(
                Outcome(
                    a["id"],
                    a["status"],
                    a["rpps"],
                    " ".join(x for x in (a["last_name"], a["first_name"]) if x),
                    f"{a['bloc']}.{a['action']}" if a["bloc"] else None,
                    tuple(json.loads(a["reasons"])),
                )
                for a in store.db.execute(
                    "SELECT id, status, rpps, bloc, action, last_name, first_name, reasons "
                    "FROM attestations WHERE document_id = ? ORDER BY id",
                    (row["id"],),
                )
            )
            states.append(UploadState(name, row["outcome"], row["id"], outcomes))
        elif (paths.inbox / name).exists():
            states.append(UploadState(name, "waiting"))
        elif any(paths.work.glob(f"*__{name}")):
            states.append(UploadState(name, "processing"))
        else:
            states.append(UploadState(name, "unknown"))
    return states


class Runner:
    """Starts ``attest run`` after uploads, one at a time, when no watcher does the work.

    A run started while ``attest watch`` holds the state lock says so and exits: the watcher
    takes the files. Uploads arriving while a run goes on start another one after it.
    """

    def __init__(self, command: Sequence[str]) -> None:
        self.command = list(command)
        self._lock = threading.Lock()
        self._running = False
        self._again = False

    def kick(self) -> None:
        """Make sure a run will look at the inbox after this call."""
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._loop, name="attest-run", daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                done = subprocess.run(
                    self.command, capture_output=True, text=True, timeout=3600, check=False
                )
                if done.returncode:
                    log.warning("attest run after an upload: %s", done.stderr.strip())
            except (OSError, subprocess.TimeoutExpired) as error:
                log.warning("attest run after an upload: %s", error)
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False

    @property
    def running(self) -> bool:
        """Whether a run started by the page is going on."""
        with self._lock:
            return self._running
