"""CNP labellisations: the actions "à demander au CNP" wait for the committee's decision.

Such an action is filed as ``pending`` and does not count until the CNP grants it; a refused
one stays in the dossier, visible, not counted. Each item's id is its attestation's id (the
same as in review). The committee decides in batches: :func:`labels_csv` writes what it
reviews, with an empty ``decision`` and ``why`` column, and :func:`import_decisions` reads
it back, all or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attest_pipeline.errors import DecisionRefused, NotFound, Refusal, UsageError
from attest_pipeline.service.decisions import (
    Decision,
    describe,
    journal_lines,
    last_decision,
    record_decision,
)
from attest_pipeline.service.workspace import Workspace, check_person
from attest_pipeline.store import Store

#: The columns of the committee's CSV, in order; ``decision`` is ``grant`` or ``refuse``.
CSV_COLUMNS = (
    "id",
    "rpps",
    "last_name",
    "first_name",
    "action",
    "title",
    "issuer",
    "start",
    "end",
    "hours",
    "pdf",
    "decision",
    "why",
)

#: What the ``decision`` column may say (French words accepted too).
_DECISIONS = {
    "grant": "grant",
    "granted": "grant",
    "accorder": "grant",
    "accordé": "grant",
    "oui": "grant",
    "refuse": "refuse",
    "refused": "refuse",
    "refuser": "refuse",
    "refusé": "refuse",
    "non": "refuse",
}


@dataclass(frozen=True, slots=True)
class LabelItem:
    """One action whose labellisation is (or was) the CNP's to decide."""

    id: int
    rpps: str
    last_name: str
    first_name: str
    action: str
    action_label: str
    title: str | None
    issuer: str | None
    start: str | None
    end: str | None
    hours: float | None
    path: str
    status: str
    note: str | None
    last: Decision | None

    def to_json(self) -> dict[str, Any]:
        """The item as JSON (keys in the README's secretariat section)."""
        return {
            "id": self.id,
            "rpps": self.rpps,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "action": self.action,
            "action_label": self.action_label,
            "title": self.title,
            "issuer": self.issuer,
            "start": self.start,
            "end": self.end,
            "hours": self.hours,
            "path": self.path,
            "status": self.status,
            "note": self.note,
            "decided": self.last.to_json() if self.last else None,
        }


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import of the committee's CSV changed: every decision, in the file's order."""

    decisions: tuple[Decision, ...]

    @property
    def granted(self) -> int:
        """How many labellisations were granted."""
        return sum(1 for d in self.decisions if d.kind == "grant")

    @property
    def refused(self) -> int:
        """How many were refused."""
        return sum(1 for d in self.decisions if d.kind == "refuse")

    def to_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "granted": self.granted,
            "refused": self.refused,
            "decisions": [d.to_json() for d in self.decisions],
        }


_SELECT = (
    "SELECT e.*, p.last_name AS p_last, p.first_name AS p_first, a.record AS record "
    "FROM dossier_entries e JOIN physicians p ON p.rpps = e.rpps "
    "JOIN attestations a ON a.id = e.attestation_id "
)


def _item(ws: Workspace, store: Store, row: sqlite3.Row) -> LabelItem:
    hours = json.loads(row["record"]).get("fields", {}).get("hours")
    try:
        label = ws.referentiel.action(row["bloc"], row["action"]).label
    except KeyError:
        label = ""
    return LabelItem(
        id=row["attestation_id"],
        rpps=row["rpps"],
        last_name=row["p_last"],
        first_name=row["p_first"],
        action=f"{row['bloc']}.{row['action']}",
        action_label=label,
        title=row["title"],
        issuer=row["issuer"],
        start=row["start"],
        end=row["end"],
        hours=float(hours) if isinstance(hours, int | float) else None,
        path=row["path"],
        status=row["label_status"],
        note=row["label_note"],
        last=last_decision(store, "label_decisions", row["attestation_id"]),
    )


def list_labels(ws: Workspace, *, status: str = "pending") -> list[LabelItem]:
    """The actions "à demander" in ``status`` (``pending``, ``granted``, ``refused``, ``all``)."""
    if status not in ("pending", "granted", "refused", "all"):
        raise UsageError(f"unknown labellisation status {status!r}")
    query = _SELECT + "WHERE e.labellisation = 'a_demander'"
    params: tuple[str, ...] = ()
    if status != "all":
        query += " AND e.label_status = ?"
        params = (status,)
    with ws.store() as store:
        rows = store.db.execute(query + " ORDER BY p.last_name, p.first_name, e.start", params)
        return [_item(ws, store, row) for row in rows]


def labels_csv(items: Sequence[LabelItem], *, delimiter: str = ";") -> str:
    """The committee's CSV (UTF-8 with BOM for Excel): one row per item, decision empty."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                item.id,
                item.rpps,
                item.last_name,
                item.first_name,
                item.action,
                item.title or "",
                item.issuer or "",
                item.start or "",
                item.end or "",
                "" if item.hours is None else f"{item.hours:g}",
                item.path,
                "",
                "",
            ]
        )
    return out.getvalue()


def _row(store: Store, item_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = store.db.execute(
        _SELECT + "WHERE e.attestation_id = ?", (item_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no dossier entry {item_id}", code=Refusal.NO_ENTRY, item=item_id)
    if row["labellisation"] != "a_demander":
        raise DecisionRefused(
            f"entry {item_id} ({row['bloc']}.{row['action']}) is labelled de fait: "
            "nothing for the CNP to decide",
            code=Refusal.DE_FAIT,
            **_named(row),
        )
    return row


def _named(row: sqlite3.Row) -> dict[str, Any]:
    """What a refusal about a dossier entry names: the item, its action, its physician."""
    return {
        "item": row["attestation_id"],
        "action": f"{row['bloc']}.{row['action']}",
        "physician": f"{row['p_last']} {row['p_first']}",
    }


def _decide(
    store: Store, item_id: int, kind: str, by: str, note: str | None, wanted: str, status: str
) -> Decision:
    """One labellisation decision inside the caller's transaction."""
    row = _row(store, item_id)
    if row["label_status"] != wanted:
        last = last_decision(store, "label_decisions", item_id)
        verb = {"grant": "grant", "refuse": "refuse", "label_reopen": "reopen"}[kind]
        cannot = f"cannot {verb} the labellisation of entry {item_id}"
        if last is not None:
            raise DecisionRefused(
                f"{cannot}: already {describe(last)}",
                code=Refusal.LABEL_ALREADY_DECIDED,
                **_named(row),
                kind=last.kind,
                by=last.by,
                at=last.at,
            )
        raise DecisionRefused(
            f"{cannot}: it is {row['label_status']}",
            code=Refusal.LABEL_NOT_IN_STATE,
            **_named(row),
            status=row["label_status"],
        )
    store.db.execute(
        "UPDATE dossier_entries SET label_status = ?, label_note = ? WHERE attestation_id = ?",
        (status, note if kind != "label_reopen" else None, item_id),
    )
    return record_decision(
        store,
        "label_decisions",
        item_id,
        kind,
        by,
        note=note,
        path=row["path"],
        detail={"rpps": row["rpps"], "action": f"{row['bloc']}.{row['action']}"},
    )


def _one(ws: Workspace, item_id: int, kind: str, by: str, note: str | None) -> Decision:
    wanted, status = {
        "grant": ("pending", "granted"),
        "refuse": ("pending", "refused"),
    }.get(kind, ("", "pending"))
    by = check_person(by)
    with ws.store() as store, store.transaction():
        if kind == "label_reopen":
            current = _row(store, item_id)["label_status"]
            wanted = current if current in ("granted", "refused") else "granted or refused"
        decision = _decide(store, item_id, kind, by, note, wanted, status)
    journal_lines(ws.config.paths.journal, [decision])
    return decision


def grant(ws: Workspace, item_id: int, *, by: str, note: str | None = None) -> Decision:
    """The CNP grants the labellisation: the action counts from now on."""
    return _one(ws, item_id, "grant", by, note)


def refuse(ws: Workspace, item_id: int, *, by: str, why: str) -> Decision:
    """The CNP refuses it: the action stays in the dossier as refused, not counted."""
    if not why.strip():
        raise UsageError(
            "say why the labellisation is refused (--why)", code=Refusal.NO_REFUSAL_REASON
        )
    return _one(ws, item_id, "refuse", by, why.strip())


def reopen_label(ws: Workspace, item_id: int, *, by: str, why: str | None = None) -> Decision:
    """Undo a grant or a refusal: the action waits for the CNP again."""
    return _one(ws, item_id, "label_reopen", by, why)


def import_decisions(ws: Workspace, path: Path, *, by: str) -> ImportReport:
    """Apply the committee's CSV (the :func:`labels_csv` file with ``decision`` filled in).

    All or nothing: one bad row (unknown id, unknown decision, a refusal without why, an
    item already decided) refuses the whole file, naming its line, and nothing changes.
    Rows with an empty decision are left pending.
    """
    by = check_person(by)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the CSV ({error})") from error
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t", key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [c for c in ("id", "decision") if c not in (reader.fieldnames or [])]
    if missing:
        raise UsageError(f"{path}: missing column(s) {', '.join(missing)}")
    wanted: list[tuple[int, int, str, str | None]] = []
    for row in reader:
        line = reader.line_num
        said = (row.get("decision") or "").strip().casefold()
        if not said:
            continue
        kind = _DECISIONS.get(said)
        if kind is None:
            raise UsageError(f"{path}:{line}: decision {said!r} is neither grant nor refuse")
        why = (row.get("why") or "").strip() or None
        if kind == "refuse" and why is None:
            raise UsageError(f"{path}:{line}: a refusal needs its reason in the why column")
        try:
            item = int((row.get("id") or "").strip())
        except ValueError as error:
            raise UsageError(f"{path}:{line}: id {row.get('id')!r} is not a number") from error
        wanted.append((line, item, kind, why))
    decisions = []
    with ws.store() as store, store.transaction():
        for line, item, kind, why in wanted:
            status = "granted" if kind == "grant" else "refused"
            try:
                decisions.append(_decide(store, item, kind, by, why, "pending", status))
            except UsageError as error:
                raise type(error)(f"{path}:{line}: {error} (nothing imported)") from error
    journal_lines(ws.config.paths.journal, decisions)
    return ImportReport(tuple(decisions))
