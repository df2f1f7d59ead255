"""What the secretariat reads: dossiers, progress towards certification, queues, tables.

Functions here turn database rows and records into JSON-ready dicts and plain-text tables;
they never write anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from attest_pipeline.mail.ledger import accounts as mail_accounts
from attest_pipeline.mail.ledger import origin as mail_origin
from attest_pipeline.models import Record, Status
from attest_pipeline.store import Store
from attest_pipeline.text.printable import printable

#: Actions required per bloc over a certification cycle.
REQUIRED_PER_BLOC = 2
BLOCS = (1, 2, 3, 4)


def dossier(store: Store, rpps: str) -> dict[str, Any] | None:
    """A physician's dossier: identity, filed actions, and per-bloc progress."""
    physician = store.physician(rpps)
    if physician is None:
        return None
    entries = [
        {
            "bloc": row["bloc"],
            "action": row["action"],
            "labellisation": row["labellisation"],
            "label_status": row["label_status"],
            "start": row["start"],
            "end": row["end"],
            "issuer": row["issuer"],
            "title": row["title"],
            "path": row["path"],
            "mail": _mail_of(store, row["attestation_id"]),
        }
        for row in store.dossier_entries(rpps)
    ]
    return {
        "rpps": physician["rpps"],
        "last_name": physician["last_name"],
        "first_name": physician["first_name"],
        "folder": physician["folder"],
        "actions": entries,
        "blocs": _progress(entries),
        "complete": _complete(entries),
    }


def _mail_of(store: Store, attestation_id: int) -> dict[str, Any] | None:
    """The message an attestation came from (``attest mail``), or ``None``."""
    row = store.db.execute(
        "SELECT d.name, d.sha256 FROM attestations a JOIN documents d ON d.id = a.document_id "
        "WHERE a.id = ?",
        (attestation_id,),
    ).fetchone()
    return None if row is None else mail_origin(store.db, row["name"], row["sha256"])


def _progress(entries: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per bloc: actions counted (de fait or granted), pending labellisation, required."""
    progress = {}
    for bloc in BLOCS:
        in_bloc = [e for e in entries if e["bloc"] == bloc]
        progress[str(bloc)] = {
            "counted": sum(1 for e in in_bloc if e["label_status"] == "granted"),
            "pending": sum(1 for e in in_bloc if e["label_status"] == "pending"),
            "required": REQUIRED_PER_BLOC,
        }
    return progress


def _complete(entries: Sequence[dict[str, Any]]) -> bool:
    progress = _progress(entries)
    return all(p["counted"] >= p["required"] for p in progress.values())


def status(store: Store) -> dict[str, Any]:
    """Every physician's progress, then what waits in review and quarantine."""
    physicians = []
    for row in store.physicians():
        entries = [dict(e) for e in store.dossier_entries(row["rpps"])]
        physicians.append(
            {
                "rpps": row["rpps"],
                "last_name": row["last_name"],
                "first_name": row["first_name"],
                "blocs": _progress(entries),
                "complete": _complete(entries),
                "pending_labellisations": sum(1 for e in entries if e["label_status"] == "pending"),
            }
        )
    return {
        "physicians": physicians,
        "review": [_waiting(store, row) for row in store.waiting(Status.REVIEW)],
        "quarantine": [_waiting(store, row) for row in store.waiting(Status.REJECT)],
        "counts": store.counts(),
        "mail": mail_accounts(store.db),
    }


def _waiting(store: Store, row: sqlite3.Row) -> dict[str, Any]:
    return {
        "document": row["document"],
        "pages": json.loads(row["pages"]),
        "reasons": json.loads(row["reasons"]),
        "path": row["path"],
        "participant": " ".join(x for x in (row["last_name"], row["first_name"]) if x) or None,
        "mail": _mail_of(store, row["id"]),
    }


def format_dossier(data: dict[str, Any]) -> str:
    """A dossier as text."""
    lines = [
        printable(f"{data['last_name']} {data['first_name']}  RPPS {data['rpps']}"),
        printable(f"dossier: {data['folder']}"),
        "",
    ]
    rows = [
        [
            f"{a['bloc']}.{a['action']}",
            "de fait" if a["labellisation"] == "de_fait" else f"à demander ({a['label_status']})",
            _dates(a["start"], a["end"]),
            a["issuer"] or "",
            a["path"],
        ]
        for a in data["actions"]
    ]
    lines.append(table(["action", "labellisation", "dates", "issuer", "pdf"], rows))
    lines.append("")
    for bloc, p in data["blocs"].items():
        mark = "ok" if p["counted"] >= p["required"] else "  "
        pending = f" (+{p['pending']} pending labellisation)" if p["pending"] else ""
        lines.append(f"bloc {bloc}: {p['counted']}/{p['required']} {mark}{pending}")
    lines.append("complete" if data["complete"] else "not complete")
    return "\n".join(lines)


def format_status(data: dict[str, Any]) -> str:
    """The status overview as text."""
    rows = []
    for p in data["physicians"]:
        blocs = [f"{b['counted']}/{b['required']}" for b in p["blocs"].values()]
        rows.append(
            [
                p["rpps"],
                f"{p['last_name']} {p['first_name']}",
                *blocs,
                "yes" if p["complete"] else "no",
                str(p["pending_labellisations"]),
            ]
        )
    parts = [
        table(["rpps", "name", "bloc 1", "bloc 2", "bloc 3", "bloc 4", "complete", "pending"], rows)
        if rows
        else "no dossier yet",
    ]
    for title, key in (("review", "review"), ("quarantine", "quarantine")):
        items = data[key]
        parts.append(f"\n{title}: {len(items)}")
        for item in items:
            pages = f"p{','.join(map(str, item['pages']))}" if item["pages"] else "-"
            mail = item.get("mail")
            sender = f" (mail from {mail['from']}, {mail['subject']!r})" if mail else ""
            parts.append(
                printable(
                    f"  {item['document']} [{pages}] "
                    f"{','.join(item['reasons'])} -> {item['path']}{sender}"
                )
            )
    for account in data.get("mail", []):
        parts.append(f"\n{format_mail_account(account)}")
    return "\n".join(parts)


def format_mail_account(account: dict[str, Any]) -> str:
    """One mailbox's state (``attest status``, ``attest doctor``) in one line."""
    messages = ", ".join(f"{n} {outcome}" for outcome, n in account["messages"].items()) or "none"
    if account["failing_since"]:
        health = (
            f"FAILING since {account['failing_since']} ({account['failures']} failed "
            f"attempt(s): {account['last_error']})"
        )
    else:
        health = f"ok, last polled {account['last_success'] or 'never'}"
    unmarked = account["not_yet_marked"]
    return (
        f"mail {account['account']}: {health}; messages: {messages}; "
        f"{account['attachments_saved']} PDF(s) saved"
        + (f"; {unmarked} saved, not yet marked on the server" if unmarked else "")
    )


def format_records(records: Iterable[Record]) -> str:
    """``attest extract`` without ``--json``: one line per attestation."""
    rows = []
    for r in records:
        who = " ".join(x for x in (r.last_name, r.first_name) if x)
        rows.append(
            [
                r.source,
                ",".join(map(str, r.pages)),
                r.status.value,
                r.plugin or "",
                f"{who} {r.rpps or ''}".strip(),
                _dates(
                    r.start.isoformat() if r.start else None, r.end.isoformat() if r.end else None
                ),
                r.chosen.key if r.chosen else "",
                r.chosen.labellisation if r.chosen else "",
                ",".join(r.reasons),
            ]
        )
    return table(
        ["file", "pages", "status", "plugin", "participant", "dates", "action", "label", "reasons"],
        rows,
    )


def _dates(start: str | None, end: str | None) -> str:
    if start and end and start != end:
        return f"{start} → {end}"
    return start or end or ""


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with aligned columns, each cell on one line, controls escaped."""
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
