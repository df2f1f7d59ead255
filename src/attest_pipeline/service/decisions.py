"""What review and labellisation decisions share: who, when, the history, the journal."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attest_pipeline.filing import durable_write, sync_folder
from attest_pipeline.jsontext import pretty
from attest_pipeline.store import Store, now


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision a person made about an item (review or labellisation).

    ``item`` is the item's id (the attestation's id); ``kind`` one of ``resolve``,
    ``reject``, ``reopen`` (review) or ``grant``, ``refuse``, ``label_reopen``
    (labellisation); ``overrides`` what the person changed of what was read, each as
    ``{"read": ..., "decided": ...}``; ``path`` where the PDF is now.
    """

    item: int
    kind: str
    by: str
    at: str
    note: str | None = None
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON (see the README's secretariat section)."""
        return {
            "id": self.item,
            "kind": self.kind,
            "by": self.by,
            "at": self.at,
            "note": self.note,
            "overrides": {k: dict(v) for k, v in self.overrides.items()},
            "path": self.path,
        }


def remember_user(store: Store, by: str, at: str) -> None:
    """Record the person's name (the users table lists everyone who decided)."""
    store.db.execute(
        "INSERT INTO users (name, first_seen, last_seen) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen",
        (by, at, at),
    )


def record_decision(
    store: Store,
    table: str,
    item: int,
    kind: str,
    by: str,
    *,
    note: str | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    path: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Decision:
    """Append a decision to its table and to the journal (inside the caller's transaction)."""
    at = now()
    remember_user(store, by, at)
    if table == "review_decisions":
        store.db.execute(
            "INSERT INTO review_decisions (attestation_id, kind, by, at, overrides, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (item, kind, by, at, json.dumps(overrides or {}, ensure_ascii=False), note),
        )
    else:
        store.db.execute(
            "INSERT INTO label_decisions (attestation_id, kind, by, at, note) "
            "VALUES (?, ?, ?, ?, ?)",
            (item, kind, by, at, note),
        )
    decision = Decision(item, kind, by, at, note, overrides or {}, path)
    store.journal(
        _EVENTS[kind],
        {**decision.to_json(), **(detail or {})},
        attestation_id=item,
    )
    return decision


#: The journal event of each kind of decision.
_EVENTS = {
    "resolve": "resolved",
    "reject": "rejected",
    "reopen": "reopened",
    "grant": "label_granted",
    "refuse": "label_refused",
    "label_reopen": "label_reopened",
}


def journal_lines(path: Path, decisions: Sequence[Decision]) -> None:
    """Append the decisions to the readable journal (``state/journal.log``), after the commit."""
    with open(path, "a", encoding="utf-8") as journal:
        for d in decisions:
            changed = "".join(f" {k}={v.get('decided')}" for k, v in d.overrides.items())
            note = f" note={json.dumps(d.note, ensure_ascii=False)}" if d.note else ""
            where = f" -> {d.path}" if d.path else ""
            journal.write(
                f"{d.at[:19]} {_EVENTS[d.kind]:<9} item {d.item} by {d.by}{changed}{note}{where}\n"
            )


def last_decision(store: Store, table: str, item: int) -> Decision | None:
    """The latest decision about an item in ``table``, if any."""
    columns = "overrides" if table == "review_decisions" else "'{}' AS overrides"
    row = store.db.execute(
        f"SELECT kind, by, at, note, {columns} FROM {table} "
        "WHERE attestation_id = ? ORDER BY id DESC LIMIT 1",
        (item,),
    ).fetchone()
    if row is None:
        return None
    return Decision(item, row["kind"], row["by"], row["at"], row["note"], json.loads(row[4]))


def history(store: Store, item: int) -> list[Decision]:
    """Every decision about an item, review and labellisation, oldest first."""
    rows = store.db.execute(
        "SELECT id, kind, by, at, note, overrides FROM review_decisions WHERE attestation_id = ? "
        "UNION ALL SELECT id, kind, by, at, note, '{}' FROM label_decisions "
        "WHERE attestation_id = ? ORDER BY at, id",
        (item, item),
    )
    return [
        Decision(item, r["kind"], r["by"], r["at"], r["note"], json.loads(r["overrides"]))
        for r in rows
    ]


def describe(decision: Decision) -> str:
    """``"resolved by alice at 2026-12-01T10:00:00+00:00"``: for refusals and lists."""
    return f"{_EVENTS[decision.kind].replace('_', ' ')} by {decision.by} at {decision.at}"


class Moves:
    """Files written before a commit, and the originals to remove after it.

    A decision writes the PDF (and its sidecar) at its new place before the database commit
    and removes the old copy only after it: a crash between the two leaves a spare copy,
    never a missing file.
    """

    def __init__(self) -> None:
        self.written: list[Path] = []
        self.obsolete: list[Path] = []

    def copy(self, source: Path, target: Path, sidecar: Mapping[str, Any]) -> None:
        """Write ``source``'s bytes to ``target`` and ``sidecar`` beside it, durably."""
        durable_write(target, source.read_bytes())
        self.written.append(target)
        self.write_sidecar(target, sidecar)
        if source != target:
            self.obsolete += [source, sidecar_path(source)]

    def write_sidecar(self, target: Path, sidecar: Mapping[str, Any]) -> None:
        """Write the JSON sidecar of ``target``."""
        path = sidecar_path(target)
        data = pretty(dict(sidecar), default=str)
        durable_write(path, data.encode())
        self.written.append(path)

    def rollback(self) -> None:
        """The transaction failed: remove what was written for it."""
        for path in self.written:
            path.unlink(missing_ok=True)

    def commit(self) -> None:
        """The transaction committed: remove the originals."""
        folders = set()
        for path in self.obsolete:
            if path in self.written:
                continue
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            folders.add(path.parent)
        for folder in folders:
            sync_folder(folder)


def sidecar_path(pdf: Path) -> Path:
    """The JSON sidecar beside a PDF."""
    return pdf.with_name(pdf.name + ".json")


def read_sidecar(pdf: Path) -> dict[str, Any]:
    """The JSON sidecar of a PDF, or an empty one when it is missing or unreadable."""
    try:
        data = json.loads(sidecar_path(pdf).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def keys(values: Sequence[Sequence[Any]]) -> tuple[str, ...]:
    """``[[2, "J"], [3, "G"]]`` -> ``("2.J", "3.G")``."""
    return tuple(f"{bloc}.{letter}" for bloc, letter in values)
