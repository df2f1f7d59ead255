"""What the pages read that no command prints: lists to search, sort and page through.

The rules (what counts, per bloc, the cycles) stay in the service layer
(:mod:`~attest_pipeline.service`); here are only the page's own reads: each physician's
progress as rows to search and sort, the journal filtered, the day's arrivals, whether the
watcher runs. Nothing here writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from attest_pipeline.models import Status
from attest_pipeline.service.progress import Progress, measure
from attest_pipeline.service.workspace import Workspace
from attest_pipeline.store import Store
from attest_pipeline.text.fold import normalise, plain_words

T = TypeVar("T")

#: Rows per page of the long lists.
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a longer list."""

    items: tuple[Any, ...]
    number: int
    pages: int
    total: int


def paginate(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` (1-based, clamped to the pages there are) of ``items``."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return Page(tuple(items[start : start + size]), number, pages, len(items))


# -------------------------------------------------------------------------- physicians


@dataclass(frozen=True, slots=True)
class PhysicianRow:
    """One physician followed, with the progress of the dossier (from the service layer)."""

    rpps: str
    last_name: str
    first_name: str
    #: Per bloc: actions counted, and the number required.
    counted: tuple[int, ...]
    required: int
    pending: int
    complete: bool
    has_dossier: bool
    at_risk: bool
    cycle_end: date
    #: The name folded for searching (no accents, lower case).
    key: str

    @property
    def done(self) -> int:
        """Required actions done, all blocs together (for sorting by progress)."""
        return sum(min(n, self.required) for n in self.counted)

    @property
    def goal(self) -> int:
        """Required actions, all blocs together."""
        return self.required * len(self.counted)


def physician_rows(progress: Iterable[Progress]) -> list[PhysicianRow]:
    """One row per physician measured by :func:`~attest_pipeline.service.progress.all_progress`."""
    rows = [
        PhysicianRow(
            rpps=p.rpps,
            last_name=p.last_name,
            first_name=p.first_name,
            counted=tuple(b.counted for b in p.blocs),
            required=p.blocs[0].required if p.blocs else 0,
            pending=p.pending,
            complete=p.complete,
            has_dossier=p.folder is not None,
            at_risk=p.at_risk,
            cycle_end=p.cycle.end,
            key=normalise(f"{p.last_name} {p.first_name}"),
        )
        for p in progress
    ]
    rows.sort(key=lambda r: (r.key, r.rpps))
    return rows


#: One line per physician with entries: what changes whenever the dossier changes (an entry
#: added or removed, a labellisation decided), cheap to read for 20,000 entries (about 10 ms).
_FINGERPRINTS = (
    "SELECT rpps, COUNT(*), SUM(id), SUM(attestation_id), "
    "SUM(id * CASE label_status WHEN 'granted' THEN 1 WHEN 'refused' THEN 2 ELSE 3 END) "
    "FROM dossier_entries GROUP BY rpps"
)
#: The entries of one physician, or of all, in the order the service layer measures them.
_ENTRIES = 'SELECT * FROM dossier_entries {where} ORDER BY rpps, coalesce("end", start), id'
#: Above this many changed dossiers, one query reads every entry.
_BULK = 50


class ProgressCache:
    """Every physician's progress, measured again only for the dossiers that changed.

    :func:`~attest_pipeline.service.progress.all_progress` measures everyone (about 0.5 s for
    2,000 physicians); a running watcher changes a few dossiers at a time, so the page keeps
    the last measures and, on each request, measures again (with the service layer's
    :func:`~attest_pipeline.service.progress.measure`) only the physicians whose entries or
    identity changed, and everyone when the day changes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day: date | None = None
        self._position = -1
        self._keys: dict[str, tuple[Any, ...]] = {}
        self._progress: dict[str, Progress] = {}
        self._sorted: list[Progress] = []
        self._rows: list[PhysicianRow] | None = None

    def current(self, ws: Workspace, store: Store) -> list[Progress]:
        """The progress of every physician of the roster or with a dossier, by name.

        Names are ordered as the service layer orders them (accents and case ignored). The
        same list while nothing changed: every change to a dossier is journalled, so an
        unchanged last journal id (and day) means unchanged dossiers.
        """
        with self._lock:
            day = ws.day()
            position = store.db.execute("SELECT MAX(id) FROM journal").fetchone()[0] or 0
            if day == self._day and position == self._position:
                return self._sorted
            if day != self._day:
                self._day, self._keys, self._progress = day, {}, {}
            prints = {row[0]: tuple(row[1:]) for row in store.db.execute(_FINGERPRINTS)}
            people: dict[str, tuple[str, str, str | None]] = {
                p.rpps: (p.last_name, p.first_name, None) for p in ws.roster.physicians
            }
            for row in store.physicians():
                people[row["rpps"]] = (row["last_name"], row["first_name"], row["folder"])
            keys = {rpps: (*who, prints.get(rpps)) for rpps, who in people.items()}
            changed = [rpps for rpps, key in keys.items() if self._keys.get(rpps) != key]
            for rpps, rows in self._entries(store, changed, prints).items():
                last, first, folder = people[rpps]
                self._progress[rpps] = measure(ws, rpps, last, first, folder, rows)
            for gone in set(self._progress) - set(keys):
                del self._progress[gone]
            self._keys, self._position, self._rows = keys, position, None
            self._sorted = sorted(
                self._progress.values(),
                key=lambda p: (plain_words(p.last_name), plain_words(p.first_name), p.rpps),
            )
            return self._sorted

    def rows(self, ws: Workspace, store: Store) -> list[PhysicianRow]:
        """:meth:`current` as the rows of the physicians' list (kept while nothing changed)."""
        progress = self.current(ws, store)
        with self._lock:
            if self._rows is None or progress is not self._sorted:
                self._rows = physician_rows(progress)
            return self._rows

    @staticmethod
    def _entries(
        store: Store, changed: list[str], prints: dict[str, tuple[Any, ...]]
    ) -> dict[str, list[sqlite3.Row]]:
        rows: dict[str, list[sqlite3.Row]] = {rpps: [] for rpps in changed}
        with_entries = [rpps for rpps in changed if rpps in prints]
        if len(with_entries) > _BULK:
            for row in store.db.execute(_ENTRIES.format(where="")):
                if row["rpps"] in rows:
                    rows[row["rpps"]].append(row)
        else:
            for rpps in with_entries:
                rows[rpps] = list(
                    store.db.execute(_ENTRIES.format(where="WHERE rpps = ?"), (rpps,))
                )
        return rows


#: The sort orders of the physicians' list: name, RPPS, progress (least done first).
SORTS: dict[str, Callable[[PhysicianRow], Any]] = {
    "nom": lambda r: (r.key, r.rpps),
    "rpps": lambda r: r.rpps,
    "progression": lambda r: (r.done, r.key),
    "attente": lambda r: (-r.pending, r.key),
    "fin": lambda r: (r.cycle_end, r.key),
    "risque": lambda r: (not r.at_risk, r.done, r.key),
}


def search_physicians(rows: Iterable[PhysicianRow], query: str) -> list[PhysicianRow]:
    """Rows whose name holds every word of ``query`` (accents and case ignored), or RPPS."""
    query = query.strip()
    if not query:
        return list(rows)
    digits = query.replace(" ", "")
    if digits.isdigit():
        return [r for r in rows if digits in r.rpps]
    words = normalise(query).split()
    return [r for r in rows if all(_has_word(r.key, w) for w in words)]


def _has_word(key: str, word: str) -> bool:
    return any(part.startswith(word) for part in key.split())


# ----------------------------------------------------------------------------- journal


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """What the journal page is asked to show."""

    rpps: tuple[str, ...] = ()
    event: str = ""
    since: date | None = None
    until: date | None = None


def journal_events(store: Store | None) -> list[str]:
    """The event names present in the journal."""
    if store is None:
        return []
    return [r[0] for r in store.db.execute("SELECT DISTINCT event FROM journal ORDER BY event")]


def journal_page(store: Store | None, wanted: JournalFilter, number: int) -> Page:
    """The journal, newest first, filtered; one page of it."""
    if store is None:
        return Page((), 1, 1, 0)
    where, params = _journal_where(wanted)
    total = store.db.execute(f"SELECT COUNT(*) FROM journal j {where}", params).fetchone()[0]
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    rows = store.db.execute(
        f"SELECT j.*, d.name AS document FROM journal j "
        f"LEFT JOIN documents d ON d.id = j.document_id {where} "
        "ORDER BY j.id DESC LIMIT ? OFFSET ?",
        [*params, PAGE_SIZE, (number - 1) * PAGE_SIZE],
    )
    items = tuple({**dict(row), "detail": json.loads(row["detail"])} for row in rows)
    return Page(items, number, pages, total)


def _journal_where(wanted: JournalFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if wanted.event:
        clauses.append("j.event = ?")
        params.append(wanted.event)
    if wanted.since:
        clauses.append("j.at >= ?")
        params.append(_utc_start(wanted.since))
    if wanted.until:
        clauses.append("j.at < ?")
        params.append(_utc_start(date.fromordinal(wanted.until.toordinal() + 1)))
    if wanted.rpps:
        # Every event about a physician names one of their attestations, or the document
        # holding it (received): integer lookups, not JSON, over a long journal.
        marks = ", ".join("?" for _ in wanted.rpps)
        clauses.append(
            f"(j.attestation_id IN (SELECT id FROM attestations WHERE rpps IN ({marks})) "
            "OR (j.attestation_id IS NULL AND j.document_id IN "
            f"(SELECT document_id FROM attestations WHERE rpps IN ({marks}))))"
        )
        params += [*wanted.rpps, *wanted.rpps]
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _utc_start(day: date) -> str:
    """Local midnight of ``day``, as the UTC ISO text the journal stores."""
    local = datetime.combine(day, time()).astimezone()
    return local.astimezone(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------- the day


@dataclass(frozen=True, slots=True)
class Watcher:
    """Whether a process holds the state lock (``attest watch``, or a run), and its pid."""

    running: bool
    pid: int | None


def watcher_state(state_folder: Path) -> Watcher:
    """Read, without taking it, whether the state lock is held (Linux ``/proc/locks``).

    Trying the lock ourselves would, for an instant, keep ``attest watch`` from taking it.
    """
    lock = state_folder / "lock"
    try:
        inode = lock.stat().st_ino
        pid = int(lock.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return Watcher(False, None)
    try:
        locks = Path("/proc/locks").read_text()
    except OSError:
        return Watcher(pid is not None and _alive(pid), pid)
    for line in locks.splitlines():
        parts = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5].split(":")[-1] == str(inode):
            return Watcher(True, int(parts[4]))
    return Watcher(False, pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def home_counts(store: Store | None) -> dict[str, Any]:
    """The counts of the home page: quarantine, today's arrivals, the last file received."""
    if store is None:
        return {"quarantine": 0, "today": Counter(), "today_total": 0, "last": None}
    today = Counter(
        {
            row["outcome"]: row["n"]
            for row in store.db.execute(
                "SELECT outcome, COUNT(*) AS n FROM documents WHERE received_at >= ? "
                "GROUP BY outcome",
                (_utc_start(date.today()),),
            )
        }
    )
    last = store.db.execute(
        "SELECT at, detail FROM journal WHERE event = 'received' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return {
        "quarantine": store.counts().get(Status.QUARANTINE.value, 0),
        "today": today,
        "today_total": sum(today.values()),
        "last": None if last is None else {"at": last["at"], **json.loads(last["detail"])},
    }
