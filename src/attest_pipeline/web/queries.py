"""What the pages read that no command prints: lists to search, sort and page through.

The rules (what counts, per bloc, the cycles) stay in the service layer
(:mod:`~attest_pipeline.service`); here are only the page's own reads: each physician's
progress as rows to search and sort, the journal filtered, the day's arrivals, whether the
watcher runs. Nothing here writes.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from attest_pipeline.models import Status
from attest_pipeline.service.progress import Progress
from attest_pipeline.store import Store
from attest_pipeline.text.names import normalise

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


def cached(caches: dict[str, Any], name: str, key: object, build: Callable[[], T]) -> T:
    """``build()``, kept while ``key`` stays the same (a journal position, a file's mtime)."""
    hit = caches.get(name)
    if hit is not None and hit[0] == key:
        value: T = hit[1]
        return value
    value = build()
    caches[name] = (key, value)
    return value


def journal_position(store: Store | None) -> int:
    """The last journal id: every change to the state is journalled, so it keys caches."""
    if store is None:
        return 0
    row = store.db.execute("SELECT MAX(id) FROM journal").fetchone()
    return int(row[0] or 0)


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
        marks = ", ".join("?" for _ in wanted.rpps)
        clauses.append(
            f"(json_extract(j.detail, '$.rpps') IN ({marks}) OR j.attestation_id IN "
            f"(SELECT id FROM attestations WHERE rpps IN ({marks})))"
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
        "quarantine": store.counts().get(Status.REJECT.value, 0),
        "today": today,
        "today_total": sum(today.values()),
        "last": None if last is None else {"at": last["at"], **json.loads(last["detail"])},
    }
