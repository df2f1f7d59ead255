"""The pipeline: from files in the inbox to filed attestations, and its dry run.

One document's path, top to bottom: :mod:`~attest_pipeline.inbox` claims the file,
:mod:`~attest_pipeline.analysis` reads it (:mod:`~attest_pipeline.reading`), recognises it
(:mod:`~attest_pipeline.recognition`) and decides (:mod:`~attest_pipeline.decision`) in a
worker process (:mod:`~attest_pipeline.workers`); back here, :func:`~attest_pipeline.
decision.settle` checks duplicates and allocates the action, and :mod:`~attest_pipeline.
filing` writes the files and the database rows. The claim is released only after the
database commit, so an interrupted run loses nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from attest_pipeline.analysis import Analysis, Context
from attest_pipeline.config import Config
from attest_pipeline.decision import Ledger, Rules, Source, reject, settle
from attest_pipeline.errors import ConfigError
from attest_pipeline.filing import Filed, Filer
from attest_pipeline.inbox import (
    Claim,
    StateLock,
    candidate_names,
    claim,
    pending_claims,
    release,
)
from attest_pipeline.mapping import check_rules, load_rules
from attest_pipeline.models import Problem, Record, Status
from attest_pipeline.reasons import Reason
from attest_pipeline.referentiel import load_referentiel
from attest_pipeline.registry import Registry
from attest_pipeline.roster import load_roster
from attest_pipeline.store import Store
from attest_pipeline.workers import Failure, Outcome, Supervisor, Task

log = logging.getLogger("attest_pipeline")

#: A batch of documents is committed to the database together (one fsync of the WAL);
#: their claims are released after that commit.
BATCH_DOCUMENTS = 50
BATCH_SECONDS = 1.0

#: Called after each document's outcome is committed, with its name and where it went.
DocumentHook = Callable[[str, list[Filed]], None]


@dataclass
class Summary:
    """Counts of one pass: documents read and attestations per outcome."""

    documents: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, records: Sequence[Record]) -> None:
        """Count one document's records."""
        self.documents += 1
        for record in records:
            self.statuses[record.status.value] = self.statuses.get(record.status.value, 0) + 1
            for reason in record.reasons:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def count(self, status: Status) -> int:
        """How many attestations ended with this status."""
        return self.statuses.get(status.value, 0)

    def to_json(self) -> dict[str, object]:
        """The summary as JSON."""
        return {
            "documents": self.documents,
            "filed": self.count(Status.FILE),
            "review": self.count(Status.REVIEW),
            "quarantine": self.count(Status.REJECT),
            "duplicates": self.count(Status.DUPLICATE),
            "reasons": dict(sorted(self.reasons.items())),
            "seconds": round(self.seconds, 3),
        }


class Busy(Exception):
    """Another process holds the state lock and is processing this inbox."""


class Pipeline:
    """The configured pipeline: plugins, roster, référentiel and mapping rules loaded once."""

    def __init__(self, config: Config, registry: Registry, *, today: date | None = None) -> None:
        self.config = config
        self.registry = registry
        referentiel = load_referentiel(config.paths.referentiel)
        mapping = load_rules(config.paths.mapping)
        # A rule naming an action the (updated) référentiel no longer has is a
        # configuration error now, not a surprise on the first attestation.
        check_rules(mapping, referentiel)
        rules = Rules(
            roster=load_roster(config.paths.roster),
            referentiel=referentiel,
            mapping=mapping,
            today=today or date.today(),
            min_ocr_confidence=config.ocr.min_confidence,
        )
        self.context = Context(
            issuers=registry.issuers, rules=rules, ocr=config.ocr, max_pages=config.max_pages
        )

    def supervisor(self, jobs: int | None = None) -> Supervisor:
        """Worker processes for this pipeline."""
        return Supervisor(
            self.context,
            jobs=self.config.jobs if jobs is None else jobs,
            plugin_timeout=self.config.plugins.timeout,
            ocr_timeout=self.config.ocr.page_timeout,
        )

    # ---------------------------------------------------------------------- dry run

    def extract(self, files: Sequence[Path | str], *, jobs: int | None = None) -> Iterator[Record]:
        """Decide about ``files`` as ``run`` would, changing nothing; records in file order.

        Each file is judged against what the database holds (duplicates, dossier needs), as
        the first file of a run would be; the files given are not judged against each other,
        which keeps a dry run over tens of thousands of files in flat memory.
        """
        store = Store.open_existing(self.config.paths.database)
        ledger: Ledger = store if store is not None else EmptyLedger()
        tasks = (Task(i, str(path), Path(path)) for i, path in enumerate(files))
        done: dict[int, list[Record]] = {}
        following = 0
        try:
            with self.supervisor(jobs) as supervisor:
                for task, outcome in supervisor.run(tasks):
                    records = outcome_records(task, outcome)
                    done[task.key] = settle(records, ledger)
                    while following in done:
                        yield from done.pop(following)
                        following += 1
        finally:
            if store is not None:
                store.close()

    # ----------------------------------------------------------------------- filing

    def session(self, *, jobs: int | None = None) -> Session:
        """A processing session holding the state lock (raises :class:`Busy` if taken)."""
        return Session(self, jobs=jobs)

    def run(
        self,
        *,
        jobs: int | None = None,
        on_document: DocumentHook | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> Summary:
        """Process everything in the inbox once (and what an interrupted run left)."""
        inbox = self.config.paths.inbox
        if not inbox.is_dir():
            # A mistyped inbox would otherwise look like an empty one, run after run.
            raise ConfigError(self.config.source, f"[paths] inbox ({inbox}) is not a folder")
        with self.session(jobs=jobs) as session:
            names = candidate_names(inbox)
            if on_total:
                on_total(len(names) + len(pending_claims(self.config.paths.work)))
            return session.process((inbox / name for name in names), on_document=on_document)


class Session:
    """Holds the lock, the database and the workers while documents are processed."""

    def __init__(self, pipeline: Pipeline, *, jobs: int | None) -> None:
        self.pipeline = pipeline
        self.paths = pipeline.config.paths
        self.lock = StateLock(self.paths.state)
        if not self.lock.acquire():
            raise Busy(
                f"another attest process (pid {self.lock.holder()}) is processing "
                f"{self.paths.inbox}; it will take these files"
            )
        self.store = Store(self.paths.database)
        self.filer = Filer(self.paths, self.store)
        self.supervisor = pipeline.supervisor(jobs)
        self.recovered = False

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers, close the database, release the lock."""
        self.supervisor.close()
        self.store.close()
        self.lock.release()

    def stop(self) -> None:
        """Finish the documents in progress and take no new one (Ctrl-C, SIGTERM)."""
        self.supervisor.stop()

    def reset(self) -> None:
        """Make the session usable again after :meth:`process` failed half-way.

        The uncommitted batch is rolled back; the workers, which may still hold results of
        that batch, are replaced; the claims it left in the working area are taken again by
        the next :meth:`process`.
        """
        if self.store.db.in_transaction:
            self.store.db.execute("ROLLBACK")
        stopping = self.supervisor.stopping
        self.supervisor.close()
        self.supervisor = self.pipeline.supervisor(self.supervisor.jobs)
        self.supervisor.stopping = stopping
        self.recovered = False

    def process(self, files: Iterable[Path], *, on_document: DocumentHook | None = None) -> Summary:
        """Claim, analyse and file ``files`` (and, first, claims left by an earlier run)."""
        summary = Summary()
        started = time.perf_counter()
        claims: dict[int, Claim] = {}
        recovered = [] if self.recovered else pending_claims(self.paths.work)
        self.recovered = True

        def tasks() -> Iterator[Task]:
            key = 0
            for existing in recovered:
                if self.store.claim_known(existing.id):
                    release(existing)  # committed before the interruption
                    continue
                claims[key] = existing
                yield Task(key, existing.name, existing.path)
                key += 1
            for path in files:
                yield Task(key, path.name, path)
                key += 1

        def prepare(task: Task) -> Task | None:
            if task.key in claims:
                return task
            taken = claim(task.path, self.paths.work)
            if taken is None:
                return None  # gone: taken by someone else or deleted
            claims[task.key] = taken
            return Task(task.key, taken.name, taken.path)

        batch: list[tuple[Claim, list[Filed]]] = []
        batch_started = time.monotonic()
        in_transaction = False
        try:
            for task, outcome in self.supervisor.run(tasks(), prepare=prepare):
                taken = claims.pop(task.key)
                if not in_transaction:
                    self.store.db.execute("BEGIN IMMEDIATE")
                    in_transaction = True
                    batch_started = time.monotonic()
                filed = self._file(taken, task, outcome)
                batch.append((taken, filed))
                summary.add([f.record for f in filed])
                if (
                    len(batch) >= BATCH_DOCUMENTS
                    or time.monotonic() - batch_started > BATCH_SECONDS
                ):
                    self._commit(batch, on_document)
                    batch, in_transaction = [], False
            if in_transaction:
                self._commit(batch, on_document)
        except BaseException:
            self.reset()
            raise
        summary.seconds = time.perf_counter() - started
        return summary

    def _file(self, taken: Claim, task: Task, outcome: Outcome) -> list[Filed]:
        data = taken.path.read_bytes()
        records = outcome_records(task, outcome, data)
        records = settle(records, self.store)
        if isinstance(outcome, Failure) and outcome.trace:
            self.store.journal("internal_error", {"name": taken.name, "trace": outcome.trace})
        page_count = outcome.page_count if isinstance(outcome, Analysis) else None
        return self.filer.file_document(taken.id, taken.name, data, page_count, records)

    def _commit(
        self, batch: list[tuple[Claim, list[Filed]]], on_document: DocumentHook | None
    ) -> None:
        self.filer.sync()
        self.store.db.execute("COMMIT")
        with open(self.paths.journal, "a", encoding="utf-8") as journal:
            for taken, filed in batch:
                for item in filed:
                    journal.write(journal_line(taken.name, item) + "\n")
        for taken, filed in batch:
            release(taken)
            for item in filed:
                log.info(journal_line(taken.name, item))
            if on_document:
                on_document(taken.name, filed)


def journal_line(name: str, filed: Filed) -> str:
    """One readable line: when, what, who, where it went and why."""
    record = filed.record
    who = " ".join(x for x in (record.rpps, record.last_name, record.first_name) if x) or "-"
    action = record.chosen.key if record.chosen and record.status is Status.FILE else "-"
    why = ",".join(record.reasons) or "-"
    where = str(filed.path) if filed.path else (record.duplicate_of or "-")
    pages = f"p{','.join(map(str, record.pages))}" if record.pages else "-"
    line = (
        f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {record.status.value:<9} {name} "
        f"[{pages}] {who} {action} reasons={why} -> {where}"
    )
    if filed.mail is not None:
        from attest_pipeline.mail.parse import mail_summary

        line += " " + mail_summary(filed.mail)
    return line


def outcome_records(task: Task, outcome: Outcome, data: bytes | None = None) -> list[Record]:
    """The records of an outcome; a failed analysis becomes one review or quarantine record."""
    if isinstance(outcome, Analysis):
        return list(outcome.records)
    if data is None:
        data = task.path.read_bytes()
    source = Source(task.name, hashlib.sha256(data).hexdigest(), ())
    what = "crashed" if outcome.crashed else f"took longer than {outcome.seconds:.0f} s"
    if outcome.trace:
        last = outcome.trace.strip().splitlines()[-1]
        problem, status = Problem(Reason.INTERNAL_ERROR, last), Status.REVIEW
    elif outcome.phase in ("reading", "starting"):
        problem, status = Problem(Reason.CORRUPT, f"the PDF reader {what}"), Status.REJECT
    elif outcome.phase.startswith("ocr"):
        problem, status = Problem(Reason.NO_TEXT, f"OCR ({outcome.phase}) {what}"), Status.REJECT
    else:
        problem, status = Problem(Reason.PLUGIN_ERROR, f"{outcome.phase} {what}"), Status.REVIEW
    return [replace(reject(source, problem), status=status)]


class EmptyLedger:
    """What an installation that has filed nothing yet knows: nothing."""

    def document_with_sha(self, sha256: str) -> str | None:
        """No earlier document."""
        return None

    def attestation_like(self, record: Record) -> str | None:
        """No earlier attestation."""
        return None

    def filed_per_bloc(self, rpps: str) -> Mapping[int, int]:
        """No action filed."""
        return {}
