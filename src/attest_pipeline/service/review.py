"""What waits in review, and the decisions a person makes about it.

An item is one attestation the pipeline sent to review; its id is the attestation's id in
the database (short and stable). :func:`resolve` files it with what the person says,
through the same checks as automatic filing; :func:`reject` closes it without filing;
:func:`reopen` undoes either. Each decision is one short transaction beside a running
``attest watch``; a decision about an item another person already decided is refused
with who and when.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from attest_pipeline.decision import EARLIEST, check_dates
from attest_pipeline.errors import DecisionRefused, NotFound, Refusal, UsageError
from attest_pipeline.filing import Filer, filed_name
from attest_pipeline.mail.ledger import origin as mail_origin
from attest_pipeline.models import Candidate, Physician, Problem, Record, Status
from attest_pipeline.reading import Uncuttable, cut_pages, is_pdf
from attest_pipeline.reasons import Reason
from attest_pipeline.referentiel import LABELLISATIONS
from attest_pipeline.service.decisions import (
    Decision,
    Moves,
    describe,
    history,
    journal_lines,
    keys,
    last_decision,
    read_sidecar,
    record_decision,
)
from attest_pipeline.service.workspace import Workspace, check_person
from attest_pipeline.store import Store

#: The states of a review item: waiting, filed by a person, closed without filing.
STATES = ("review", "resolved", "rejected")

#: Where rejected PDFs are kept, under the review folder.
REJECTED_FOLDER = "rejected"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One line of ``attest review``: an attestation that waits (or waited) for a person."""

    id: int
    state: str
    document: str
    pages: tuple[int, ...]
    path: str | None
    reasons: tuple[str, ...]
    participant: str | None
    rpps: str | None
    start: str | None
    end: str | None
    action: str | None
    issuer: str | None
    title: str | None
    received_at: str
    last: Decision | None

    def to_json(self) -> dict[str, Any]:
        """The item as JSON (keys in the README's secretariat section)."""
        return {
            "id": self.id,
            "state": self.state,
            "document": self.document,
            "pages": list(self.pages),
            "path": self.path,
            "reasons": list(self.reasons),
            "participant": self.participant,
            "rpps": self.rpps,
            "start": self.start,
            "end": self.end,
            "action": self.action,
            "issuer": self.issuer,
            "title": self.title,
            "received_at": self.received_at,
            "decided": self.last.to_json() if self.last else None,
        }


@dataclass(frozen=True, slots=True)
class ReviewDetail:
    """Everything about one item: what was read, its evidence, candidates, reasons, history."""

    item: ReviewItem
    record: Mapping[str, Any]
    evidence: Mapping[str, str]
    candidates: tuple[str, ...]
    details: tuple[Mapping[str, str], ...]
    archive: str
    history: tuple[Decision, ...]
    #: The e-mail the document came from (``attest mail``): sender, date, subject, Message-ID.
    mail: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The detail as JSON (keys in the README's secretariat section)."""
        return {
            **self.item.to_json(),
            "evidence": dict(self.evidence),
            "candidates": list(self.candidates),
            "details": [dict(d) for d in self.details],
            "fields": dict(self.record.get("fields") or {}),
            "family": self.record.get("family"),
            "nature": self.record.get("nature"),
            "reference": self.record.get("reference"),
            "archive": self.archive,
            "history": [d.to_json() for d in self.history],
            "mail": dict(self.mail) if self.mail is not None else None,
        }


_SELECT = (
    "SELECT a.*, d.name AS document, d.archive AS archive, d.received_at AS received_at, "
    "d.pages AS document_pages FROM attestations a JOIN documents d ON d.id = a.document_id "
)


def _state(store: Store, row: sqlite3.Row) -> str | None:
    """The review state of an attestation, ``None`` when it never went to review."""
    if row["status"] == Status.REVIEW.value:
        return "review"
    if row["status"] == "rejected":
        return "rejected"
    last = last_decision(store, "review_decisions", row["id"])
    if row["status"] == Status.FILE.value and last is not None and last.kind == "resolve":
        return "resolved"
    return None


def _item(store: Store, row: sqlite3.Row, state: str) -> ReviewItem:
    participant = " ".join(x for x in (row["last_name"], row["first_name"]) if x) or None
    action = f"{row['bloc']}.{row['action']}" if row["bloc"] is not None else None
    record = json.loads(row["record"])
    return ReviewItem(
        id=row["id"],
        state=state,
        document=row["document"],
        pages=tuple(json.loads(row["pages"])),
        path=row["path"],
        reasons=tuple(json.loads(row["reasons"])),
        participant=participant,
        rpps=row["rpps"],
        start=row["start"],
        end=row["end"],
        action=action,
        issuer=record.get("issuer"),
        title=row["title"],
        received_at=row["received_at"],
        last=last_decision(store, "review_decisions", row["id"]),
    )


def list_review(
    ws: Workspace, *, reason: str | None = None, state: str = "review"
) -> list[ReviewItem]:
    """The items in ``state`` (``review``: what waits; ``all`` for every state), oldest first.

    ``reason`` keeps only the items with that reason code.
    """
    if state != "all" and state not in STATES:
        raise UsageError(f"unknown state {state!r} (one of {', '.join(STATES)}, all)")
    if reason is not None and reason not in {r.value for r in Reason}:
        raise UsageError(f"unknown reason code {reason!r}")
    with ws.store() as store:
        if state in ("review", "rejected"):
            rows = store.db.execute(_SELECT + "WHERE a.status = ? ORDER BY a.id", (state,))
        else:
            rows = store.db.execute(
                _SELECT + "WHERE a.status IN ('review', 'rejected') OR a.id IN "
                "(SELECT attestation_id FROM review_decisions) ORDER BY a.id"
            )
        items = []
        for row in rows:
            found = _state(store, row)
            if found is None or (state != "all" and found != state):
                continue
            if reason is not None and reason not in json.loads(row["reasons"]):
                continue
            items.append(_item(store, row, found))
    return items


@contextmanager
def _decision_transaction(ws: Workspace) -> Iterator[tuple[Store, Moves]]:
    """The store in an immediate transaction, with the file moves that go with it.

    Both are committed when the block ends, or both undone when it raises: a decision is
    never recorded without its files, nor its files moved without it.
    """
    with ws.store() as store:
        moves = Moves()
        store.db.execute("BEGIN IMMEDIATE")
        try:
            yield store, moves
        except BaseException:
            store.db.execute("ROLLBACK")
            moves.rollback()
            raise
        store.db.execute("COMMIT")
        moves.commit()


def _row(store: Store, item_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = store.db.execute(_SELECT + "WHERE a.id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFound(f"no review item {item_id}", code=Refusal.NO_ITEM, item=item_id)
    return row


def show_review(ws: Workspace, item_id: int) -> ReviewDetail:
    """Everything about one item (any state): what was read, evidence, candidates, reasons."""
    with ws.store() as store:
        row = _row(store, item_id)
        state = _state(store, row)
        if state is None:
            raise NotFound(f"attestation {item_id} never went to review (it is {row['status']})")
        record = json.loads(row["record"])
        return ReviewDetail(
            item=_item(store, row, state),
            record=record,
            evidence=record.get("evidence") or {},
            candidates=keys(record.get("candidates") or []),
            details=tuple(record.get("details") or ()),
            archive=row["archive"],
            history=tuple(history(store, item_id)),
            mail=mail_origin(store.db, row["document"], str(record.get("sha256") or "")),
        )


# ------------------------------------------------------------------------------ decisions


def _refuse_unless(store: Store, row: sqlite3.Row, wanted: str, doing: str) -> None:
    """Refuse a decision on an item that is no longer in the state it needs."""
    state = _state(store, row)
    if state == wanted:
        return
    _refuse(store, row, state, doing)


def _refuse(store: Store, row: sqlite3.Row, state: str | None, doing: str) -> NoReturn:
    """Refuse ``doing`` on an item in ``state``, naming who decided it last and when."""
    item = row["id"]
    last = last_decision(store, "review_decisions", item)
    if last is not None:
        raise DecisionRefused(
            f"cannot {doing} item {item}: already {describe(last)}",
            code=Refusal.ALREADY_DECIDED,
            item=item,
            kind=last.kind,
            by=last.by,
            at=last.at,
        )
    told = f"cannot {doing} item {item}: it is {state or row['status']}"
    if state == "review":
        raise DecisionRefused(told, code=Refusal.WAITING, item=item)
    raise DecisionRefused(told, code=Refusal.NOT_IN_REVIEW, item=item, status=row["status"])


def parse_action(ws: Workspace, text: str) -> Candidate:
    """``"1.D"`` -> the candidate for that action of the référentiel (refused if unknown).

    Its labellisation is the action's, or its "hors liste" one when the action has a list.
    """
    bloc_text, _, letter = text.strip().partition(".")
    try:
        action = ws.referentiel.action(int(bloc_text), letter.upper())
    except (KeyError, ValueError) as error:
        raise DecisionRefused(
            f"no action {text!r} in the référentiel", code=Refusal.UNKNOWN_ACTION, action=text
        ) from error
    # An action whose labellisation depends on a list: what a person names without saying
    # it is listed is taken as "hors liste" (the CNP decides), never "de fait" by default.
    labellisation = action.hors_liste if action.hors_liste is not None else action.labellisation
    return Candidate(action.bloc, action.letter, labellisation)


def parse_date(text: str, name: str) -> date:
    """An ISO date given on the command line or in a form."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise UsageError(
            f"--{name} {text!r} is not a date (YYYY-MM-DD)",
            code=Refusal.NOT_A_DATE,
            field=name,
            text=text,
        ) from error


def record_of(data: Mapping[str, Any]) -> Record:
    """The :class:`Record` a stored record's JSON describes (what the pipeline decided)."""
    participant = data.get("participant") or {}
    chosen = None
    if data.get("bloc") is not None and data.get("action"):
        chosen = Candidate(data["bloc"], data["action"], data.get("labellisation") or "")
    return Record(
        source=data["source"],
        sha256=data["sha256"],
        pages=tuple(data.get("pages") or ()),
        status=Status(data["status"]),
        problems=tuple(
            Problem(Reason(d["code"]), d.get("detail", "")) for d in data.get("details") or ()
        ),
        plugin=data.get("plugin"),
        family=data.get("family"),
        issuer=data.get("issuer"),
        rpps=participant.get("rpps"),
        last_name=participant.get("last_name"),
        first_name=participant.get("first_name"),
        matched=bool(participant.get("matched")),
        start=date.fromisoformat(data["start"]) if data.get("start") else None,
        end=date.fromisoformat(data["end"]) if data.get("end") else None,
        title=data.get("title"),
        reference=data.get("reference"),
        nature=data.get("nature"),
        candidates=tuple(Candidate(b, a, "") for b, a in data.get("candidates") or ()),
        chosen=chosen,
        evidence=data.get("evidence") or {},
        fields=data.get("fields") or {},
        ocr=bool(data.get("ocr")),
        duplicate_of=data.get("duplicate_of"),
    )


def resolve(
    ws: Workspace,
    item_id: int,
    *,
    by: str,
    rpps: str | None = None,
    action: str | None = None,
    start: date | None = None,
    end: date | None = None,
    labellisation: str | None = None,
    note: str | None = None,
) -> Decision:
    """File a review item with what the person says; what was read is kept where not given.

    The checks of automatic filing apply: the physician is on the roster, the action exists
    in the référentiel, the dates are plausible, the attestation is not a duplicate of what
    is filed. A refusal (:class:`DecisionRefused`) changes nothing.
    """
    by = check_person(by)
    if labellisation is not None and labellisation not in LABELLISATIONS:
        raise UsageError(
            f"--labellisation must be one of {', '.join(LABELLISATIONS)}",
            code=Refusal.UNKNOWN_LABELLISATION,
            value=labellisation,
            choices=LABELLISATIONS,
        )
    with _decision_transaction(ws) as (store, moves):
        row = _row(store, item_id)
        _refuse_unless(store, row, "review", "resolve")
        source = _review_pdf(ws, row, moves)
        with open(source, "rb") as handle:
            if not is_pdf(handle.read(1024)):
                # An e-mail of links alone: the attestation is behind a link, which the
                # software never follows; filing the message would put no proof in a dossier.
                raise DecisionRefused(
                    f"item {item_id} is no PDF (an e-mail of links alone) and cannot be "
                    "filed: fetch the attestation it points to, drop the PDF into the inbox, "
                    "then reject this item",
                    code=Refusal.NOT_A_PDF,
                    item=item_id,
                )
        read = record_of(json.loads(row["record"]))
        decided, overrides = _decided(ws, read, rpps, action, start, end, labellisation)
        earlier = store.attestation_like(decided)
        if earlier is not None:
            raise DecisionRefused(
                f"item {item_id} is a duplicate of {earlier}",
                code=Refusal.DUPLICATE,
                item=item_id,
                earlier=earlier,
            )
        filer = Filer(ws.config.paths, store)
        folder = filer.dossier_folder(decided)
        short = decided.sha256[:8]
        label = f"_{row['id']}" if (folder / filed_name(decided, short, "")).exists() else ""
        target = folder / filed_name(decided, short, label)
        decision = record_decision(
            store,
            "review_decisions",
            item_id,
            "resolve",
            by,
            note=note,
            overrides=overrides,
            path=str(target),
            detail={"review_path": row["path"], "rpps": decided.rpps},
        )
        sidecar = {
            **read_sidecar(source),
            **decided.to_json(),
            "path": str(target),
            "decided": decision.to_json(),
        }
        moves.copy(source, target, sidecar)
        _set_decided(store, item_id, decided, str(target), Status.FILE.value)
        store.add_dossier_entry(item_id, decided, str(target))
    journal_lines(ws.config.paths.journal, [decision])
    return decision


def _decided(
    ws: Workspace,
    read: Record,
    rpps: str | None,
    action: str | None,
    start: date | None,
    end: date | None,
    labellisation: str | None,
) -> tuple[Record, dict[str, dict[str, Any]]]:
    """The record as the person decides it, and what they changed."""
    overrides: dict[str, dict[str, Any]] = {}
    wanted_rpps = rpps.strip() if rpps else read.rpps
    if not wanted_rpps:
        raise DecisionRefused(
            "no RPPS was read: give the physician's (--rpps)", code=Refusal.NO_RPPS
        )
    physician: Physician | None = ws.roster.by_rpps(wanted_rpps)
    if physician is None:
        raise DecisionRefused(
            f"RPPS {wanted_rpps} is not on the roster", code=Refusal.NOT_ON_ROSTER, rpps=wanted_rpps
        )
    if rpps and rpps.strip() != read.rpps:
        overrides["rpps"] = {"read": read.rpps, "decided": physician.rpps}
    chosen = read.chosen
    if action is not None:
        chosen = parse_action(ws, action)
        if read.chosen is None or chosen.key != read.chosen.key:
            overrides["action"] = {
                "read": read.chosen.key if read.chosen else None,
                "decided": chosen.key,
            }
    if chosen is None:
        raise DecisionRefused(
            "no action was found: give the action of the référentiel (--action)",
            code=Refusal.NO_ACTION,
        )
    try:
        ws.referentiel.action(chosen.bloc, chosen.action)
    except KeyError as error:
        raise DecisionRefused(
            f"no action {chosen.key} in the référentiel",
            code=Refusal.UNKNOWN_ACTION,
            action=chosen.key,
        ) from error
    if labellisation is not None and labellisation != chosen.labellisation:
        overrides["labellisation"] = {"read": chosen.labellisation, "decided": labellisation}
        chosen = replace(chosen, labellisation=labellisation)
    dates = {"start": read.start, "end": read.end}
    for name, given in (("start", start), ("end", end)):
        if given is not None and given != dates[name]:
            overrides[name] = {"read": _iso(dates[name]), "decided": given.isoformat()}
            dates[name] = given
    first, last = dates["start"], dates["end"]
    if first is None or last is None:
        missing = tuple(n for n, v in dates.items() if v is None)
        raise DecisionRefused(
            f"the dates were not read: give them ({' and '.join(f'--{n}' for n in missing)})",
            code=Refusal.MISSING_DATES,
            missing=missing,
        )
    today = ws.day()
    problems = check_dates(first, last, today)
    if problems:
        raise DecisionRefused(
            f"implausible dates: {problems[0].detail}",
            code=Refusal.IMPLAUSIBLE_DATES,
            start=first.isoformat(),
            end=last.isoformat(),
            earliest=EARLIEST.isoformat(),
            today=today.isoformat(),
            detail=problems[0].detail,
        )
    known = {c.key for c in read.candidates}
    decided = replace(
        read,
        status=Status.FILE,
        rpps=physician.rpps,
        last_name=physician.last_name,
        first_name=physician.first_name,
        matched=True,
        start=first,
        end=last,
        chosen=chosen,
        # The action a person names is the one that counts: no other candidate.
        candidates=(chosen,) if action is not None or chosen.key not in known else read.candidates,
    )
    return decided, overrides


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _review_pdf(ws: Workspace, row: Mapping[str, Any] | sqlite3.Row, moves: Moves) -> Path:
    """The item's PDF: its copy in review (rebuilt from the archive if it went missing)."""
    path = Path(row["path"]) if row["path"] else None
    if path is not None and path.exists():
        return path
    original = Path(row["archive"]).read_bytes()
    pages = tuple(json.loads(row["pages"]))
    total = row["document_pages"]
    data = original
    if pages and total and pages != tuple(range(1, total + 1)):
        try:
            data = cut_pages(original, [pages])[pages]
        except Uncuttable as error:
            raise DecisionRefused(
                f"item {row['id']}: its PDF is missing from review and its pages cannot be "
                f"cut from the archived original ({error})",
                code=Refusal.PDF_MISSING,
                item=row["id"],
            ) from error
    rebuilt = ws.config.paths.review / f".rebuilt_{row['id']}.pdf"
    rebuilt.parent.mkdir(parents=True, exist_ok=True)
    rebuilt.write_bytes(data)
    moves.obsolete.append(rebuilt)
    return rebuilt


def _set_decided(store: Store, item_id: int, record: Record, path: str | None, status: str) -> None:
    """Write the decided fields into the attestation's row (its record JSON stays as read)."""
    chosen = record.chosen
    store.db.execute(
        "UPDATE attestations SET status = ?, rpps = ?, last_name = ?, first_name = ?, "
        'start = ?, "end" = ?, bloc = ?, action = ?, labellisation = ?, path = ? WHERE id = ?',
        (
            status,
            record.rpps,
            record.last_name,
            record.first_name,
            _iso(record.start),
            _iso(record.end),
            chosen.bloc if chosen else None,
            chosen.action if chosen else None,
            chosen.labellisation if chosen else None,
            path,
            item_id,
        ),
    )


def reject(ws: Workspace, item_id: int, *, by: str, why: str) -> Decision:
    """Close an item without filing it: its PDF goes to ``review/rejected/``, stays archived."""
    by = check_person(by)
    if not why.strip():
        raise UsageError("say why the item is rejected (--why)", code=Refusal.NO_REJECT_REASON)
    with _decision_transaction(ws) as (store, moves):
        row = _row(store, item_id)
        _refuse_unless(store, row, "review", "reject")
        source = _review_pdf(ws, row, moves)
        target = ws.config.paths.review / REJECTED_FOLDER / Path(row["path"] or source).name
        decision = record_decision(
            store,
            "review_decisions",
            item_id,
            "reject",
            by,
            note=why.strip(),
            path=str(target),
            detail={"review_path": row["path"]},
        )
        moves.copy(
            source,
            target,
            {**read_sidecar(source), "path": str(target), "decided": decision.to_json()},
        )
        store.db.execute(
            "UPDATE attestations SET status = 'rejected', path = ? WHERE id = ?",
            (str(target), item_id),
        )
    journal_lines(ws.config.paths.journal, [decision])
    return decision


def reopen(ws: Workspace, item_id: int, *, by: str, why: str | None = None) -> Decision:
    """Undo a resolve or a reject: the item leaves the dossier (or rejected) and waits again."""
    by = check_person(by)
    with _decision_transaction(ws) as (store, moves):
        row = _row(store, item_id)
        state = _state(store, row)
        if state not in ("resolved", "rejected"):
            _refuse(store, row, state, "reopen")
        previous = _review_path(store, item_id) or str(
            ws.config.paths.review / Path(row["path"]).name
        )
        target = Path(previous)
        source = Path(row["path"])
        if not source.exists():
            source = _review_pdf(ws, _without_path(row), moves)
        decision = record_decision(
            store,
            "review_decisions",
            item_id,
            "reopen",
            by,
            note=why,
            path=str(target),
            detail={"from": state, "previous_path": row["path"]},
        )
        sidecar = read_sidecar(source)
        sidecar.pop("decided", None)
        read = json.loads(row["record"])
        moves.copy(
            source,
            target,
            {**sidecar, **read, "path": str(target), "reopened": decision.to_json()},
        )
        if state == "resolved":
            store.db.execute("DELETE FROM dossier_entries WHERE attestation_id = ?", (item_id,))
        _set_decided(store, item_id, record_of(read), str(target), Status.REVIEW.value)
    journal_lines(ws.config.paths.journal, [decision])
    return decision


def _without_path(row: sqlite3.Row) -> Mapping[str, Any]:
    """A row's values with no path (to rebuild its PDF from the archive)."""
    return {**dict(row), "path": None}


def _review_path(store: Store, item_id: int) -> str | None:
    """Where the item's PDF was in review before the decision being undone."""
    rows = store.db.execute(
        "SELECT detail FROM journal WHERE attestation_id = ? AND event IN ('resolved', 'rejected') "
        "ORDER BY id DESC LIMIT 1",
        (item_id,),
    ).fetchone()
    if rows is None:
        return None
    path = json.loads(rows["detail"]).get("review_path")
    return str(path) if path else None
