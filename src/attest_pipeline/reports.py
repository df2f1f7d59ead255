"""What the secretariat reads: dossiers, progress towards certification, queues, tables.

Functions here turn database rows and records into JSON-ready dicts and plain-text tables;
they never write anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from attest_pipeline.models import Record, Status
from attest_pipeline.text.printable import printable

if TYPE_CHECKING:
    from attest_pipeline.service.workspace import Workspace
    from attest_pipeline.store import Store


def dossier(ws: Workspace, rpps: str) -> dict[str, Any]:
    """A physician's dossier: identity, cycle, every action with its allocation, blocs, DPC.

    Raises :class:`~attest_pipeline.errors.NotFound` when the RPPS has no dossier and is
    not on the roster.
    """
    from attest_pipeline.service.dpc import dpc_of
    from attest_pipeline.service.progress import physician_progress

    progress = physician_progress(ws, rpps)
    actions = [e.to_json() for e in progress.entries]
    with ws.store() as store:
        for action in actions:
            action["mail"] = mail_of(store, action["id"])
    return {
        **progress.to_json(),
        "actions": actions,
        "dpc": dpc_of(ws, progress).to_json()["periods"],
    }


def mail_of(store: Store, attestation_id: int) -> dict[str, Any] | None:
    """The message an attestation came from (``attest mail``), or ``None``."""
    # Here, not at the top: `attest extract` prints records and never needs the e-mail
    # modules (15 to 40 ms of its start-up).
    from attest_pipeline.mail.ledger import origin as mail_origin

    row = store.db.execute(
        "SELECT d.name, d.sha256 FROM attestations a JOIN documents d ON d.id = a.document_id "
        "WHERE a.id = ?",
        (attestation_id,),
    ).fetchone()
    return None if row is None else mail_origin(store.db, row["name"], row["sha256"])


def status(ws: Workspace, *, at_risk: bool = False) -> dict[str, Any]:
    """Every physician's progress (with the current DPC period), then review and quarantine."""
    from attest_pipeline.mail.ledger import accounts as mail_accounts
    from attest_pipeline.service.dpc import dpc_of
    from attest_pipeline.service.progress import all_progress
    from attest_pipeline.service.review import list_review

    physicians = []
    for progress in all_progress(ws, at_risk=at_risk):
        current = dpc_of(ws, progress).current()
        physicians.append(
            {**progress.to_json(), "dpc": current.to_json() if current is not None else None}
        )
    items = list_review(ws)
    with ws.store() as store:
        quarantine = [_waiting(row) for row in store.waiting(Status.QUARANTINE)]
        counts = store.counts()
        review = [
            {
                "id": item.id,
                "document": item.document,
                "pages": list(item.pages),
                "reasons": list(item.reasons),
                "path": item.path,
                "participant": item.participant,
                "mail": mail_of(store, item.id),
            }
            for item in items
        ]
        mail = mail_accounts(store.db)
    return {
        "physicians": physicians,
        "review": review,
        "quarantine": quarantine,
        "counts": counts,
        "mail": mail,
    }


def _waiting(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "document": row["document"],
        "pages": json.loads(row["pages"]),
        "reasons": json.loads(row["reasons"]),
        "path": row["path"],
        "participant": " ".join(x for x in (row["last_name"], row["first_name"]) if x) or None,
    }


def _label(labellisation: str, status: str) -> str:
    if labellisation == "de_fait":
        return "de fait"
    return f"à demander ({status})"


def format_dossier(data: dict[str, Any]) -> str:
    """A dossier as text: identity, cycle, actions with their allocation, blocs, DPC."""
    cycle = data["cycle"]
    assumed = " (assumed)" if cycle["assumed"] else ""
    lines = [
        printable(f"{data['last_name']} {data['first_name']}  RPPS {data['rpps']}"),
        printable(f"dossier: {data['folder'] or '-'}"),
        f"cycle: {cycle['start']} → {cycle['end']}{assumed}: {cycle['rule']}",
        "",
    ]
    rows = [
        [
            str(a["id"]),
            a["key"],
            _label(a["labellisation"], a["label_status"]),
            _dates(a["start"], a["end"]),
            a["issuer"] or "",
            a["state"] + (f" in bloc {a['counted_in']}" if a["counted_in"] else ""),
            a["path"],
        ]
        for a in data["actions"]
    ]
    lines.append(
        table(["id", "action", "labellisation", "dates", "issuer", "counted", "pdf"], rows)
        if rows
        else "no action filed"
    )
    explained = [a for a in data["actions"] if len(a["candidates"]) > 1 or a["state"] != "counted"]
    if explained:
        lines.append("")
        lines.extend(f"  {a['id']}: {a['why']}" for a in explained)
    lines.append("")
    for bloc, p in data["blocs"].items():
        mark = "ok" if p["missing"] == 0 else "  "
        pending = f" (+{p['pending']} pending labellisation)" if p["pending"] else ""
        lines.append(f"bloc {bloc}: {p['counted']}/{p['required']} {mark}{pending}")
    lines.append("complete" if data["complete"] else "not complete: " + "; ".join(data["missing"]))
    if data["at_risk"]:
        lines.append(f"AT RISK: {data['risk']}")
    for period in data["dpc"]:
        lines.append(_dpc_line(period))
    return "\n".join(lines)


def _dpc_line(period: dict[str, Any]) -> str:
    types = ", ".join(period["types_done"]) or "none"
    verdict = "valid" if period["valid"] else "not shown valid"
    return (
        f"DPC {period['name']}: {len(period['actions'])} action(s), types {types} "
        f"({len(period['types_done'])}/{period['min_types']}), orientation prioritaire: "
        f"{period['orientation']}: {verdict}"
    )


def format_status(data: dict[str, Any], *, empty: str = "no dossier yet") -> str:
    """The status overview as text; ``empty`` is said when no physician is listed."""
    rows = []
    for p in data["physicians"]:
        blocs = [f"{b['counted']}/{b['required']}" for b in p["blocs"].values()]
        dpc = p["dpc"]
        rows.append(
            [
                p["rpps"],
                f"{p['last_name']} {p['first_name']}",
                *blocs,
                "yes" if p["complete"] else "no",
                str(p["pending_labellisations"]),
                p["cycle"]["end"] + ("*" if p["cycle"]["assumed"] else ""),
                f"{len(dpc['types_done'])}/{dpc['min_types']}" if dpc else "-",
                "AT RISK" if p["at_risk"] else "",
            ]
        )
    header = ["rpps", "name", "bloc 1", "bloc 2", "bloc 3", "bloc 4", "complete", "pending"]
    parts = [
        table([*header, "cycle end", "dpc types", "risk"], rows) if rows else empty,
    ]
    if any(p["cycle"]["assumed"] for p in data["physicians"]):
        parts.append("* cycle assumed (the roster gives no registration date)")
    risky = [p for p in data["physicians"] if p["at_risk"]]
    for p in risky:
        parts.append(
            printable(f"at risk: {p['rpps']} {p['last_name']} {p['first_name']}: {p['risk']}")
        )
    for title, key in (("review", "review"), ("quarantine", "quarantine")):
        items = data[key]
        parts.append(f"\n{title}: {len(items)}")
        for item in items:
            pages = f"p{','.join(map(str, item['pages']))}" if item["pages"] else "-"
            ident = f"[{item['id']}] " if "id" in item else ""
            mail = item.get("mail")
            sender = f" (mail from {mail['from']}, {mail['subject']!r})" if mail else ""
            parts.append(
                printable(
                    f"  {ident}{item['document']} [{pages}] "
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
    return printable(
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
                r.status.word,  # people read "quarantine"; the JSON keeps "reject"
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
