"""The pipeline: from files in the inbox to filed attestations, and its dry run.

One document's path, top to bottom: :mod:`~attest_pipeline.inbox` claims the file,
:mod:`~attest_pipeline.analysis` reads it (:mod:`~attest_pipeline.reading`), recognises it
(:mod:`~attest_pipeline.recognition`) and decides (:mod:`~attest_pipeline.decision`) in a
worker process (:mod:`~attest_pipeline.workers`); back here, :func:`~attest_pipeline.
settle.settle` checks duplicates and allocates the action, and :mod:`~attest_pipeline.
filing` writes the files and the database rows. The claim is released only after the
database commit, so an interrupted run loses nothing.

Filing overlaps analysis. A batch's syncs run in the background while the parent takes
the next outcomes from the workers (and hands out their next tasks); its rows are
committed once the syncs have ended, and the outcomes received meanwhile are filed after
(:data:`FILED_PER_OUTCOME` at a time, so that the workers' queues never run dry). The
outcomes are filed in the order the files were listed, whatever order the workers finish
them in: which of two copies is the duplicate, and which action an attestation takes, do not
depend on the number of workers or their timing (unless a document is more than
:data:`HOLD_SECONDS` slower than those after it: they are filed without it). And the
quiet period that ``attest run`` waits out before claiming a file is spent reading: the
first files are read through a second name (:func:`~attest_pipeline.inbox.peek`), claimed
once the period is over, and filed only if the bytes claimed are the bytes read.

Everything after the claim, filing included, is inside one boundary per document: a
document whose filing fails is put into quarantine as it is (``filing_failed``) and the run
goes on; a claim that no run manages to finish is set aside (``repeated_failure``). Only a
full disk stops a run (:class:`~attest_pipeline.errors.StorageFull`), with nothing lost.

The module is over 400 lines on purpose: :class:`Session` is one responsibility, the pass
from claim to commit, whose steps (recover, claim, file inside a savepoint, set aside,
commit a batch, release) share one transaction and one set of claims, and are checked
against each other when read together. What is not that pass lives apart: the counts
(:mod:`~attest_pipeline.run_summary`), the journal's lines (:mod:`~attest_pipeline.journal`),
the dry run's listing (:mod:`~attest_pipeline.listing`), duplicates and the action chosen
(:mod:`~attest_pipeline.settle`), where each reason sends a document
(:mod:`~attest_pipeline.outcomes`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from attest_pipeline.access import prepare_roots
from attest_pipeline.analysis import Analysis, Context
from attest_pipeline.config import Config, outputs
from attest_pipeline.decision import Rules
from attest_pipeline.errors import ConfigError, StorageFull
from attest_pipeline.filesystems import NETWORK_FILESYSTEMS, check_outputs, filesystem_type
from attest_pipeline.filing import (
    Filed,
    Filer,
    Syncs,
    is_storage_full,
    read_whole,
    readable_name,
)
from attest_pipeline.inbox import (
    MAX_ATTEMPTS,
    Claim,
    StateLock,
    StillWriting,
    claim,
    peek,
    pending_claims,
    put_back,
    record_attempt,
    release,
    remove_peeks,
    scan,
)
from attest_pipeline.journal import append_journal, ignored_line, journal_line
from attest_pipeline.listing import check_regular_file
from attest_pipeline.mapping import check_rules, load_rules
from attest_pipeline.models import Problem, Record, Source
from attest_pipeline.outcomes import failed
from attest_pipeline.readiness import FirstLook, is_complete, signature
from attest_pipeline.reading import route_library_logs
from attest_pipeline.reasons import Reason
from attest_pipeline.referentiel import load_referentiel
from attest_pipeline.registry import Registry
from attest_pipeline.roster import Roster, load_roster
from attest_pipeline.run_summary import Summary
from attest_pipeline.settle import EmptyLedger, Ledger, settle
from attest_pipeline.store import Store
from attest_pipeline.workers import PDF_PHASES, Failure, Outcome, Supervisor, Task

log = logging.getLogger("attest_pipeline")

#: A batch of documents is committed to the database together (one fsync of the WAL);
#: their claims are released after that commit.
BATCH_DOCUMENTS = 50
BATCH_SECONDS = 1.0
#: Outcomes filed at most each time the workers hand one over: the parent files the
#: outcomes received during a batch's syncs a few at a time, going back to the workers
#: in between (their queues would run dry behind a long catch-up).
FILED_PER_OUTCOME = 2
#: Files read at most during the quiet period of ``attest run``, before their claim (see
#: :func:`~attest_pipeline.inbox.peek`): the workers analyse instead of waiting it out (a
#: second at each run), and the outcomes kept until then stay few, whatever the period.
EARLY_MAX = 512
#: Outcomes received and not yet filed, at most: beyond, the parent waits for its syncs
#: and files (the workers wait), so that its memory stays flat whatever the inbox holds.
#: Room for those of the quiet period, which come all at once when it ends.
WAITING_MAX = EARLY_MAX + 64
#: How long an outcome waits for those of the files listed before it, at most: a slow
#: document (a scan read by OCR, a plugin near its time limit) must not hold back the
#: filing and commit of the others (their claims would wait with it, and a run killed
#: meanwhile would count an attempt against each).
HOLD_SECONDS = 1.0
#: Outcomes received ahead of an earlier file's, at most: beyond, no new file goes to the
#: workers until it comes, so that memory stays flat whatever the hold.
AHEAD_MAX = 1024

#: Called after each document's outcome is committed, with its name and where it went.
DocumentHook = Callable[[str, list[Filed]], None]


class Busy(Exception):
    """Another process holds the state lock and is processing this inbox."""


class Pipeline:
    """The configured pipeline: plugins, roster, référentiel and mapping rules loaded once."""

    def __init__(self, config: Config, registry: Registry, *, today: date | None = None) -> None:
        self.config = config
        self.registry = registry
        route_library_logs()  # before any worker is forked
        referentiel = load_referentiel(config.paths.referentiel)
        mapping = load_rules(config.paths.mapping)
        # A rule naming an action the (updated) référentiel no longer has is a
        # configuration error now, not a surprise on the first attestation.
        check_rules(mapping, referentiel)
        rules = Rules(
            roster=load_roster(config.paths.roster) if config.paths.roster else Roster(()),
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
            memory=self.config.memory,
            document_timeout=self.config.document_timeout,
        )

    # ---------------------------------------------------------------------- dry run

    def extract(self, files: Sequence[Path | str], *, jobs: int | None = None) -> Iterator[Record]:
        """Decide about ``files`` as ``run`` would, changing nothing; records in file order.

        Each file is judged against what the database holds (duplicates, dossier needs), as
        the first file of a run would be; the files given are not judged against each other,
        which keeps a dry run over tens of thousands of files in flat memory. Raises
        :class:`~attest_pipeline.errors.UsageError` at once, before reading anything, for a
        path that is not a regular file (a FIFO would block its reader for ever).
        """
        for path in files:
            check_regular_file(path)
        return self._extract(files, jobs)

    def _extract(self, files: Sequence[Path | str], jobs: int | None) -> Iterator[Record]:
        store = None if self.config.builtin else Store.open_existing(self.config.paths.database)
        ledger: Ledger = store if store is not None else EmptyLedger()
        tasks = (Task(i, readable_name(str(path)), Path(path)) for i, path in enumerate(files))
        done: dict[int, list[Record]] = {}
        following = 0
        try:
            with self.supervisor(jobs) as supervisor:
                for task, outcome in supervisor.run(tasks, room=lambda: len(done) < AHEAD_MAX):
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
        """Process everything in the inbox once (and what an interrupted run left).

        Files still being written (:mod:`~attest_pipeline.readiness`, the rule ``watch``
        applies) are left for the next pass and counted in :attr:`Summary.writing`.
        """
        inbox = self.config.paths.inbox
        if not inbox.is_dir():
            # A mistyped inbox would otherwise look like an empty one, run after run.
            raise ConfigError(self.config.source, f"[paths] inbox ({inbox}) is not a folder")
        with self.session(jobs=jobs) as session:
            # Names, each made a path when its turn comes: the listing of a large inbox
            # stays a list of strings.
            names, others = scan(inbox)
            session.note_ignored(others)
            if on_total:
                on_total(len(names) + len(pending_claims(self.config.paths.work)))
            watch = self.config.watch
            look = FirstLook(
                (inbox / name for name in names),
                watch.quiet_period,
                watch.unreadable_after,
                trust_times=_local_times(inbox),
            )
            summary = session.process(look.paths(), on_document=on_document, look=look)
            for _, kind in others:
                summary.ignore(kind)
            return summary


class Session:
    """Holds the lock, the database and the workers while documents are processed."""

    def __init__(self, pipeline: Pipeline, *, jobs: int | None) -> None:
        self.pipeline = pipeline
        self.paths = pipeline.config.paths
        check_outputs(pipeline.config)  # a clear refusal rather than a failed first write
        try:
            prepare_roots(outputs(self.paths), self.paths.group)
        except OSError as error:
            raise ConfigError(
                pipeline.config.source,
                f"[paths] group ({self.paths.group}): cannot give the output folders to it: "
                f"{error.strerror or error}",
            ) from None
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
        #: Entries of the inbox that are not regular files, already journalled or found so.
        self.noted: set[tuple[str, str]] = set()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers, close the database, release the lock."""
        self.supervisor.close()
        self.filer.close()
        self.store.close()
        self.lock.release()

    def stop(self) -> None:
        """Finish the documents in progress and take no new one (Ctrl-C, SIGTERM)."""
        self.supervisor.stop()

    def reset(self) -> None:
        """Make the session usable again after :meth:`process` failed half-way.

        The uncommitted batch is rolled back and the files it wrote removed; the workers,
        which may still hold results of that batch, are replaced; the claims it left in the
        working area are taken again by the next :meth:`process`.
        """
        if self.store.db.in_transaction:
            self.store.db.execute("ROLLBACK")
        self.filer.discard()
        stopping = self.supervisor.stopping
        self.supervisor.close()
        self.supervisor = self.pipeline.supervisor(self.supervisor.jobs)
        self.supervisor.stopping = stopping
        self.recovered = False

    def note_ignored(self, entries: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """Journal the entries of the inbox that are not regular files, once each.

        ``entries`` are ``(name, kind)`` pairs (:func:`~attest_pipeline.inbox.not_regular`);
        an entry already journalled with the same kind is not journalled again, so that a
        scanner's sub-folder costs one line, not one per run. Returns the new ones.
        """
        # The journal is searched once per entry and session: a watcher rescans often.
        unseen = [entry for entry in entries if entry not in self.noted]
        self.noted.update(unseen)
        new = [
            (name, kind)
            for name, kind in unseen
            if not self.store.journalled("ignored", {"name": name, "kind": kind})
        ]
        if new:
            with self.store.transaction():
                for name, kind in new:
                    self.store.journal("ignored", {"name": name, "kind": kind})
            lines = [ignored_line(name, kind) for name, kind in new]
            append_journal(self.paths.journal, lines)
            for line in lines:
                log.info(line)
        return new

    def process(
        self,
        files: Iterable[Path],
        *,
        on_document: DocumentHook | None = None,
        look: FirstLook | None = None,
    ) -> Summary:
        """Claim, analyse and file ``files`` (and, first, claims left by an earlier run).

        With ``look``, each file is claimed only if it is ready (see :class:`FirstLook`).
        Raises :class:`~attest_pipeline.errors.StorageFull` when a disk is full.
        """
        summary = Summary()
        started = time.perf_counter()
        claims: dict[int, Claim] = {}
        batch: list[tuple[Claim, list[Filed]]] = []
        batch_started = time.monotonic()
        in_transaction = False
        put_back_count = 0
        # The outcomes received and not filed yet: those that came while the batch before
        # them was being synced, in the order received.
        waiting: deque[tuple[Claim, Task, Outcome]] = deque()
        # The syncs of the batch filed last, running while the workers go on: its rows are
        # committed once they have ended (never before: a row names only a durable file).
        syncing: Syncs | None = None
        # Files read before their claim, during the quiet period (``look``): the task as
        # listed and the second name read, by key. Claimed once the period is over, as
        # ``prepare`` would have (or dropped: changed, gone); their outcomes received before
        # then wait in ``held``.
        early: dict[int, tuple[Task, Path]] = {}
        dropped: set[int] = set()
        early_claimed = False
        # Outcomes are filed in the order of the keys sent to the workers (the listing's):
        # those that come ahead of an earlier one wait in ``ahead`` (in the order they came,
        # with the time), for :data:`HOLD_SECONDS` at most, then go out of turn
        # (``overtaken``); those that come after a file read early and not claimed yet wait
        # in ``held`` until it is.
        sent: deque[int] = deque()
        ahead: dict[int, tuple[Task, Outcome, float]] = {}
        overtaken: set[int] = set()
        held: list[tuple[Task, Outcome]] = []

        def tasks(recovered: list[Claim]) -> Iterator[Task]:
            key = 0
            for existing in recovered:
                claims[key] = existing
                yield Task(key, existing.name, existing.path)
                key += 1
            for path in files:
                yield Task(key, readable_name(path.name), path)
                key += 1

        def quiet() -> bool:
            """Whether files may be claimed now (the quiet period of ``look`` is over)."""
            return look is None or time.monotonic() >= look.waited_until

        def prepare(task: Task) -> Task | None:
            sending = claimed(task)
            if sending is not None:
                sent.append(task.key)
            return sending

        def claimed(task: Task) -> Task | None:
            """The task to send for ``task``: its claim, or its second name read early."""
            if task.key in claims:
                return task
            if not quiet() and len(early) < EARLY_MAX and _whole(task.path):
                second = peek(task.path, self.paths.work)
                if second is not None:
                    early[task.key] = (task, second)
                    return Task(task.key, task.name, second)
            taken = take(task)
            if taken is None:
                return None
            claims[task.key] = taken
            return Task(task.key, taken.name, taken.path)

        def take(task: Task) -> Claim | None:
            """Claim the file of ``task`` if it is ready; ``None`` when it stays or is gone."""
            nonlocal put_back_count
            expected = None
            if look is not None:
                expected = look.ready(task.path)
                if expected is None:
                    return None  # gone, or still being written
            try:
                taken = claim(task.path, self.paths.work, expected)
            except StillWriting:
                put_back_count += 1
                return None
            except OSError as error:
                if look is None or is_storage_full(error):
                    raise  # the watcher retries the file alone, later; a full disk stops
                # One file that cannot be moved (a share's lock, an immutable file) must
                # not stop the pass, nor every later one: it stays where it is.
                log.warning("%s cannot be taken from the inbox (%s); left there for the "
                            "next pass", task.path.name, error)
                summary.unclaimed += 1
                return None
            return taken  # None when gone: taken by someone else or deleted

        def claim_early(wait: bool) -> None:
            """Claim the files read early once the quiet period is over (``wait``: sleep)."""
            nonlocal early_claimed
            if early_claimed or not early or not (wait or quiet()):
                return
            early_claimed = True  # no file is read early from now on
            for key, (task, second) in sorted(early.items()):
                taken = take(task)  # the first waits out what remains of the period
                if taken is not None and not _same_file(second, taken):
                    # Replaced since it was read, and given the first one's size and time.
                    give_back(taken)
                    taken = None
                if taken is None:
                    dropped.add(key)
                else:
                    claims[key] = taken
            waited = held[:]
            held.clear()
            for task, outcome in waited:
                deliver(task, outcome)

        def release() -> None:
            """Deliver the outcomes whose turn has come, and those held too long."""
            while sent:
                key = sent[0]
                if key in ahead:
                    task, outcome, _ = ahead.pop(key)
                    deliver(task, outcome)
                elif key in overtaken:
                    overtaken.discard(key)
                else:
                    break
                sent.popleft()
            if ahead and time.monotonic() - next(iter(ahead.values()))[2] > HOLD_SECONDS:
                for key in sorted(ahead):
                    task, outcome, _ = ahead.pop(key)
                    deliver(task, outcome)
                    overtaken.add(key)

        def deliver(task: Task, outcome: Outcome) -> None:
            """Take an outcome, in its turn: to be filed, or held behind a file read early."""
            if not early_claimed and (task.key in early or held):
                held.append((task, outcome))
            elif task.key in early:
                received(task.key, outcome)
            else:
                waiting.append((claims.pop(task.key), task, outcome))

        def received(key: int, outcome: Outcome) -> None:
            """Take the outcome of a file read early: filed with its claim, if it was taken."""
            _, second = early.pop(key)
            second.unlink(missing_ok=True)
            if key in dropped:
                dropped.discard(key)
                return
            taken = claims.pop(key)
            if not _analysed(outcome, taken):
                give_back(taken)  # written to since it was read
                return
            waiting.append((taken, Task(key, taken.name, taken.path), outcome))

        def give_back(taken: Claim) -> None:
            nonlocal put_back_count
            if put_back(taken, self.paths.inbox):
                put_back_count += 1
            else:
                summary.left_in_work += 1  # its name taken again: the next run files it

        def start_commit() -> None:
            nonlocal syncing
            syncing = self.filer.start_sync()

        def file_waiting(limit: int) -> None:
            """File up to ``limit`` waiting outcomes, without waiting for a batch's syncs."""
            nonlocal batch, in_transaction, batch_started, syncing, put_back_count
            if syncing is not None:
                if not syncing.done():
                    return
                self._commit(batch, on_document, syncing)
                batch, in_transaction, syncing = [], False, None
            for _ in range(limit):
                if not waiting:
                    return
                taken, task, outcome = waiting.popleft()
                if not in_transaction:
                    self.store.db.execute("BEGIN IMMEDIATE")
                    in_transaction = True
                    batch_started = time.monotonic()
                filed = self._file_guarded(taken, task, outcome)
                if filed is None:
                    if self._put_back_if_changed(taken):
                        put_back_count += 1
                    else:
                        summary.left_in_work += 1
                    continue
                batch.append((taken, filed))
                summary.add([f.record for f in filed])
                if (
                    len(batch) >= BATCH_DOCUMENTS
                    or time.monotonic() - batch_started > BATCH_SECONDS
                ):
                    start_commit()
                    return

        def catch_up(most: int) -> None:
            """File until at most ``most`` outcomes wait, waiting for a batch's syncs."""
            while len(waiting) > most:
                if syncing is not None:
                    syncing.wait()
                file_waiting(len(waiting) - most)

        def finish() -> None:
            """File what waits, then commit the last batch."""
            catch_up(0)
            if in_transaction and syncing is None:
                start_commit()
            if syncing is not None:
                syncing.wait()
                file_waiting(0)  # commits it

        def idle() -> None:
            # A slow document (OCR, a plugin near its time limit) must not hold back the
            # commit of those already filed: their claims would wait with it.
            if syncing is None and in_transaction and (
                time.monotonic() - batch_started > BATCH_SECONDS
            ):
                start_commit()
            release()
            claim_early(wait=False)
            file_waiting(FILED_PER_OUTCOME)

        try:
            recovered = [] if self.recovered else self._recover(summary, on_document)
            self.recovered = True
            outcomes = self.supervisor.run(
                tasks(recovered), prepare=prepare, idle=idle,
                room=lambda: len(ahead) < AHEAD_MAX,
            )
            for task, outcome in outcomes:
                ahead[task.key] = (task, outcome, time.monotonic())
                release()
                claim_early(wait=False)
                file_waiting(FILED_PER_OUTCOME)
                catch_up(WAITING_MAX)
            claim_early(wait=True)
            finish()
        except BaseException as error:
            for _, second in early.values():
                second.unlink(missing_ok=True)
            self.reset()
            if isinstance(error, Exception) and is_storage_full(error):
                raise StorageFull(
                    f"no space left on a disk ({error}); the run stopped and nothing is lost: "
                    f"what was not filed waits in {self.paths.inbox} or {self.paths.work} "
                    "for the next run, once space is freed"
                ) from error
            raise
        summary.writing = put_back_count + (len(look.writing) if look is not None else 0)
        summary.seconds = time.perf_counter() - started
        return summary

    def _recover(self, summary: Summary, on_document: DocumentHook | None) -> list[Claim]:
        """The claims an interrupted run left, to process first; each counts one attempt.

        A claim already committed is only released; one started :data:`MAX_ATTEMPTS`
        times is set aside in quarantine, unread.
        """
        todo = []
        remove_peeks(self.paths.work)
        for existing in pending_claims(self.paths.work):
            if self.store.claim_known(existing.id):
                release(existing)  # committed before the interruption
                continue
            removed = self.filer.undo(existing.id)
            if removed:
                log.info("%s: %d file(s) of an interrupted attempt removed", existing.name, removed)
            if existing.attempts < MAX_ATTEMPTS:
                todo.append(record_attempt(existing))
                continue
            problem = Problem(
                Reason.REPEATED_FAILURE,
                f"processing was started {existing.attempts} times and never finished "
                "(the process was stopped or killed each time); set aside unread",
            )
            self.store.db.execute("BEGIN IMMEDIATE")
            self.store.db.execute("SAVEPOINT document")
            filed = self._set_aside(existing, problem, None)
            self.store.db.execute("RELEASE document")
            if filed is None:
                self.store.db.execute("ROLLBACK")
                summary.left_in_work += 1
                continue
            self._commit([(existing, filed)], on_document)
            summary.add([f.record for f in filed])
        self.filer.remove_lists()  # every claim they list is undone or committed
        return todo

    def _file_guarded(self, taken: Claim, task: Task, outcome: Outcome) -> list[Filed] | None:
        """File one document inside its own boundary; ``None`` when it stays claimed.

        Whatever fails while filing a document costs that document only: its rows are
        rolled back, its files removed, and it is set aside in quarantine with
        ``filing_failed``. A full disk is the exception: it stops the run (raised).
        ``None`` when the claimed file changed since it was claimed (a writer still had it
        open) or could not even be set aside.
        """
        db = self.store.db
        db.execute("SAVEPOINT document")
        mark = self.filer.mark()
        try:
            data = read_whole(taken.path, taken.signature[0] if taken.signature else 0)
            changed = _changed(taken, len(data))
            filed = None if changed else self._file(taken, task, outcome, data)
        except Exception as error:  # the per-document boundary: one bad file costs itself
            db.execute("ROLLBACK TO document")
            self.filer.discard(mark)
            if is_storage_full(error):
                raise
            trace = traceback.format_exc()
            log.error("%s: filing failed (%s: %s); set aside in quarantine",
                      taken.name, type(error).__name__, error)
            problem = Problem(Reason.FILING_FAILED, f"{type(error).__name__}: {error}")
            filed = self._set_aside(taken, problem, trace)
        db.execute("RELEASE document")
        return filed

    def _set_aside(self, taken: Claim, problem: Problem, trace: str | None) -> list[Filed] | None:
        """Quarantine a claimed file as it is; ``None`` if even that failed (it stays claimed).

        Runs inside the savepoint ``document``, which it rolls back on failure.
        """
        mark = self.filer.mark()
        try:
            filed = self.filer.set_aside(
                taken.id, taken.name, taken.path, problem, taken.original
            )
            if trace is not None:
                self.store.journal("internal_error", {"name": taken.name, "trace": trace})
        except Exception as error:  # still the per-document boundary
            self.store.db.execute("ROLLBACK TO document")
            self.filer.discard(mark)
            if is_storage_full(error):
                raise
            log.error("%s: could not be set aside (%s: %s); left in %s for the next run",
                      taken.name, type(error).__name__, error, self.paths.work)
            return None
        return filed

    def _put_back_if_changed(self, taken: Claim) -> bool:
        """Return a claimed file that changed since its claim to the inbox, for the next pass."""
        return _changed(taken, None) and put_back(taken, self.paths.inbox)

    def _file(self, taken: Claim, task: Task, outcome: Outcome, data: bytes) -> list[Filed]:
        records = outcome_records(task, outcome, data)
        records = settle(records, self.store)
        if isinstance(outcome, Failure) and outcome.trace:
            self.store.journal("internal_error", {"name": taken.name, "trace": outcome.trace})
        page_count = outcome.page_count if isinstance(outcome, Analysis) else None
        parts = outcome.parts if isinstance(outcome, Analysis) else None
        return self.filer.file_document(
            taken.id, taken.name, data, page_count, records, taken.original, parts=parts,
            source=taken.path,
        )

    def _commit(
        self,
        batch: list[tuple[Claim, list[Filed]]],
        on_document: DocumentHook | None,
        syncs: Syncs | None = None,
    ) -> None:
        """Commit a batch once its files are durable (``syncs``: started already), then release."""
        if syncs is None:
            self.filer.sync()
        else:
            syncs.wait()
        self.store.db.execute("COMMIT")
        self.filer.committed()
        lines = [[journal_line(taken.name, item) for item in filed] for taken, filed in batch]
        append_journal(self.paths.journal, (line for document in lines for line in document))
        for (taken, filed), document in zip(batch, lines, strict=True):
            release(taken)
            for line in document:
                log.info(line)
            if on_document:
                on_document(taken.name, filed)


def _local_times(folder: Path) -> bool:
    """Whether the times of the files in ``folder`` are this machine's: on a local disk.

    A network share's (and a FUSE file system's) come from another clock, which may be
    late: a file just written would look unchanged for long.
    """
    kind = filesystem_type(folder)
    return kind is not None and kind not in NETWORK_FILESYSTEMS and not kind.startswith("fuse")


def _whole(path: Path) -> bool:
    """Whether a file of the inbox may be read before its claim: it is complete now.

    A second name changes the file's change time, from which the wait for an incomplete
    file is measured (``[watch] unreadable_after``): an incomplete file is read only after
    its claim, or it would never be handed over.
    """
    now = signature(path)
    return now is not None and is_complete(path, now[0])


def _same_file(second: Path, taken: Claim) -> bool:
    """Whether a second name (:func:`~attest_pipeline.inbox.peek`) is of the claimed file."""
    try:
        inode = os.lstat(second).st_ino
    except OSError:
        return False
    return taken.signature is not None and taken.signature[2] == inode


def _analysed(outcome: Outcome, taken: Claim) -> bool:
    """Whether an outcome read before the claim is of the bytes claimed (same SHA-256)."""
    if not isinstance(outcome, Analysis) or not outcome.records:
        return True  # a failure is filed with the bytes claimed, as after a claim
    try:
        data = read_whole(taken.path, taken.signature[0] if taken.signature else 0)
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == outcome.records[0].sha256


def _changed(taken: Claim, size: int | None) -> bool:
    """Whether a claimed file changed since its claim (or ``size`` bytes were read of it)."""
    if taken.signature is None:
        return False
    now = signature(taken.path)
    return now != taken.signature or (size is not None and size != taken.signature[0])


def outcome_records(task: Task, outcome: Outcome, data: bytes | None = None) -> list[Record]:
    """The records of an outcome; a failed analysis becomes one review or quarantine record."""
    if isinstance(outcome, Analysis):
        return list(outcome.records)
    if data is None:
        data = task.path.read_bytes()
    source = Source(task.name, hashlib.sha256(data).hexdigest(), ())
    return [failed(source, failure_problem(outcome))]


def failure_problem(failure: Failure) -> Problem:
    """Why a worker gave no analysis: over a limit, crashed, hung, or raised (with where)."""
    what = "crashed" if failure.crashed else f"took longer than {failure.seconds:.0f} s"
    if failure.limit == "memory":
        detail = f"reading it needs more memory than [limits] memory allows ({failure.phase})"
        return Problem(Reason.TOO_LARGE, detail)
    if failure.limit == "time":
        return Problem(
            Reason.TIMEOUT,
            f"not finished after {failure.seconds:.0f} s, over [limits] document_timeout "
            f"({failure.phase})",
        )
    if failure.trace:
        return Problem(Reason.INTERNAL_ERROR, failure.trace.strip().splitlines()[-1])
    if failure.phase in PDF_PHASES:
        return Problem(Reason.CORRUPT, f"the PDF reader {what}")
    if failure.phase.startswith("ocr"):
        return Problem(Reason.NO_TEXT, f"OCR ({failure.phase}) {what}")
    return Problem(Reason.PLUGIN_ERROR, f"{failure.phase} {what}")
