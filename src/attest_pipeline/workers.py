"""Worker processes that analyse documents, supervised so that none can stall the run.

Two pools: text workers read documents that have a text layer; OCR workers (started on the
first scan) take the documents that need OCR, so that text PDFs never wait behind a scan.
Each worker publishes the step it is in (reading, ``andpc.identify``, ``ocr page 2``...);
a worker that stays in one step longer than that step's limit is killed and replaced, and
its document alone is sent to review (a plugin) or quarantine (the PDF itself).

A text worker is sent its next task ahead (:data:`TEXT_QUEUE`), so that it never waits
for the parent between two documents. Each worker publishes the key of the task it began:
when it is replaced, the tasks it had not begun go to another worker, unharmed, and a
worker that died between two documents costs none of them.

Before the first worker is forked, the parent reads the data files of the issuers
(:class:`~attest_pipeline.issuers.DataIssuer`, read on first use, 10-30 ms for the
built-ins with the patterns their reading compiles), so that every worker, and every worker
that replaces one, inherits them instead of reading them again.

Each document has a bounded cost: a worker's address space is limited (``RLIMIT_AS``,
``[limits] memory``) and a document has a time limit (``[limits] document_timeout``);
over either, the document goes to quarantine (``too_large``, ``timeout``) and the worker
is replaced. Workers die with the process that started them (see
:mod:`attest_pipeline.processes`): a run killed by SIGKILL leaves none behind.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized, SynchronizedString
from pathlib import Path
from typing import Any

from attest_pipeline import regex_cache
from attest_pipeline.analysis import Analysis, Context, analyse
from attest_pipeline.issuers import DataIssuer
from attest_pipeline.processes import Lifeline, lifeline
from attest_pipeline.text.scan import load_gates, save_gates

#: Default time limit of one document, all steps included (``[limits] document_timeout``).
DOCUMENT_TIMEOUT = 300.0
#: Steps bounded by the document's time limit alone: pdfium's work on the file itself.
PDF_PHASES = frozenset({"starting", "reading", "splitting"})
#: How a worker that ran out of memory dies: pdfium aborts when an allocation fails; the
#: kernel's OOM killer sends SIGKILL (the supervisor's own kills are known as such).
_MEMORY_DEATHS = frozenset({-signal.SIGABRT, -signal.SIGKILL})
_POLL = 0.2
_PHASE_SIZE = 160
#: Tasks sent ahead to a text worker: it starts the next document as soon as it has sent
#: the last one's analysis, instead of waiting for the parent to read it and answer, and
#: goes on while the parent commits a batch (its syncs and the database's: 10 to 70 ms,
#: the time of a few documents).
TEXT_QUEUE = 8


@dataclass(frozen=True, slots=True)
class Task:
    """One file to analyse: ``name`` appears in the records, ``path`` is read."""

    key: int
    name: str
    path: Path
    allow_ocr: bool = False


@dataclass(frozen=True, slots=True)
class Failure:
    """A task that produced no analysis: its worker was stuck, crashed, or the core failed.

    ``phase`` is the step the worker was in; ``trace`` is the traceback of an exception
    raised by the core itself (a bug, reported, costing this document only); ``limit`` is
    ``"memory"`` or ``"time"`` when the document went over one of its limits.
    """

    phase: str
    seconds: float
    crashed: bool = False
    trace: str | None = None
    limit: str | None = None


Outcome = Analysis | Failure


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Worker:
    def __init__(self, context: Context, memory: int | None, queue: int = 1) -> None:
        ctx = multiprocessing.get_context("fork")
        self.phase: SynchronizedString = ctx.Array("c", _PHASE_SIZE, lock=False)
        self.started: Synchronized[float] = ctx.Value("d", 0.0, lock=False)
        #: When the document in progress began, and its key (-1: none begun yet).
        self.begun: Synchronized[float] = ctx.Value("d", 0.0, lock=False)
        self.current: Synchronized[int] = ctx.Value("q", -1, lock=False)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve,
            # Created before the fork, so that the child inherits its read end.
            args=(
                child, context, self.phase, self.started, self.begun, self.current, memory,
                lifeline(),
            ),
            daemon=True,
        )
        self.process.start()
        child.close()
        #: The tasks sent, in order: the first is in progress, the others wait their turn.
        self.tasks: deque[Task] = deque()
        self.queue = queue

    @property
    def task(self) -> Task | None:
        """The task in progress (or about to be), ``None`` when idle."""
        return self.tasks[0] if self.tasks else None

    def has_room(self) -> bool:
        return len(self.tasks) < self.queue

    def submit(self, task: Task) -> None:
        if not self.tasks:
            # Keys start again at 0 in each run: the key of a task of an earlier run,
            # begun by this worker, must not be taken for this one's.
            self.current.value = -1
            self.restart_clock()
        self.tasks.append(task)
        self.conn.send(task)

    def restart_clock(self) -> None:
        """The next task begins now (the worker sets the same when it takes it)."""
        self.started.value = self.begun.value = time.monotonic()
        self.phase.value = b"starting"

    def began_first(self) -> bool:
        """Whether the worker had begun its first task (not only received it)."""
        return bool(self.tasks) and self.current.value == self.tasks[0].key

    def current_phase(self) -> str:
        return self.phase.value.decode("utf-8", "replace")

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _serve(
    conn: multiprocessing.connection.Connection,
    context: Context,
    phase: SynchronizedString,
    started: Synchronized[float],
    begun: Synchronized[float],
    current: Synchronized[int],
    memory: int | None,
    parent: Lifeline,
) -> None:
    """A worker's loop: receive tasks, send analyses, until told to stop."""
    parent.watch()
    if memory:
        # The address space, not the resident size: a decompression bomb is stopped when
        # it asks for the memory, before the machine swaps. On top of what the worker
        # already maps (a fork maps what its parent did: libraries, other threads'
        # stacks), so that the limit means the same in `run` and in `watch`. Tesseract
        # inherits it.
        limit = _address_space() + memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:  # an administrator's limit stays the ceiling
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    # Ctrl-C and SIGTERM are the parent's to handle: it decides what to finish. A service
    # manager signals the whole process group; a worker dying mid-document would have its
    # document filed as a failure. The parent stops workers through the pipe or SIGKILL.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def on_phase(step: str) -> None:
        phase.value = step.encode("utf-8")[: _PHASE_SIZE - 1]
        started.value = time.monotonic()

    while True:
        try:
            task = conn.recv()
        except EOFError:
            task = None
        if task is None:
            # Once, when told to stop: the patterns it compiled, for the next run (a worker
            # exits without atexit). A worker killed loses them: the next run compiles them.
            regex_cache.save()
            return
        phase.value = b"starting"
        started.value = begun.value = time.monotonic()
        current.value = task.key
        result: Any = None
        data = b""
        try:
            data = task.path.read_bytes()
            result = analyse(task.name, data, context, allow_ocr=task.allow_ocr, on_phase=on_phase)
        except MemoryError:
            # Over [limits] memory in Python code (pdfium aborts instead). The worker is
            # replaced: memory may be left fragmented or half-freed.
            result = Failure(phase.value.decode("utf-8", "replace"), 0.0, limit="memory")
        except Exception:  # reported to the parent as an internal failure of this document
            result = traceback.format_exc()
        del data
        try:
            conn.send(result)
        except MemoryError:  # the analysis (a large document's parts) is too big to send
            result = Failure(phase.value.decode("utf-8", "replace"), 0.0, limit="memory")
            conn.send(result)
        if isinstance(result, Failure):
            return
        # After the answer, so that the parent never waits for it; a worker exits
        # without atexit, so the patterns it read are kept for the next run now.
        save_gates()


def _address_space() -> int:
    """The bytes this process maps now (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


class Supervisor:
    """Analyses tasks in worker processes, as many at once as ``jobs``.

    Use it from one thread: on Linux a worker is killed when the thread that started it
    ends (``PR_SET_PDEATHSIG`` follows the thread, not the process).
    """

    def __init__(
        self,
        context: Context,
        *,
        jobs: int = 1,
        plugin_timeout: float = 10.0,
        ocr_timeout: float = 30.0,
        memory: int | None = None,
        document_timeout: float = DOCUMENT_TIMEOUT,
    ) -> None:
        self.context = context
        self.jobs = max(1, jobs or available_cores())
        self.plugin_timeout = plugin_timeout
        self.ocr_timeout = ocr_timeout
        self.memory = memory
        self.document_timeout = document_timeout
        self.text: list[_Worker] = []
        self.ocr: list[_Worker] = []
        self.retry: deque[Task] = deque()
        #: Keys of the tasks sent again once after a worker died before beginning them.
        self.spared: set[int] = set()
        self.stopping = False
        self.warmed = False

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker."""
        for worker in self.text + self.ocr:
            worker.stop(kill=bool(worker.tasks))
        self.text.clear()
        self.ocr.clear()

    def stop(self) -> None:
        """Take no new task; the tasks in progress are finished and yielded."""
        self.stopping = True

    def run(
        self,
        tasks: Iterable[Task],
        *,
        prepare: Callable[[Task], Task | None] | None = None,
        idle: Callable[[], None] | None = None,
        room: Callable[[], bool] | None = None,
    ) -> Iterator[tuple[Task, Outcome]]:
        """Analyse ``tasks``, yielding each with its outcome as it completes.

        ``prepare`` is called on each task just before it is sent to a worker (to claim the
        file at the last moment); when it returns ``None`` the task is skipped. ``idle`` is
        called whenever a wait for results ends with none (the caller commits what it holds
        rather than wait behind a slow document). While ``room`` returns False no new task
        is taken but one at a time, once none is in progress (the caller holds too many
        outcomes, waiting for an earlier one).
        """
        pending = iter(tasks)
        self.spared.clear()  # keys start again at 0 in each run
        ocr_queue: deque[Task] = deque()
        # Tasks taken back from a worker replaced before it began them: prepared already.
        retry = self.retry
        exhausted = False

        def refill() -> bool:
            """Give idle workers their next task; False once there is none left."""
            nonlocal exhausted
            while retry and (worker := self._idle(self.text, self.jobs, TEXT_QUEUE)):
                worker.submit(retry.popleft())
            if not self.stopping:
                while (
                    not exhausted
                    and (room is None or room() or not self._in_progress(ocr_queue))
                    and (worker := self._idle(self.text, self.jobs, TEXT_QUEUE))
                ):
                    task = next(pending, None)
                    if task is None:
                        exhausted = True
                        break
                    task = prepare(task) if prepare else task
                    if task is not None:
                        worker.submit(task)
            while ocr_queue and (worker := self._idle(self.ocr, self.jobs, 1)):
                worker.submit(ocr_queue.popleft())
            return not (exhausted or self.stopping) or bool(ocr_queue) or bool(retry)

        more = refill()
        while True:
            busy = [w for w in self.text + self.ocr if w.task is not None]
            if not busy:
                if not more:
                    return
                more = refill()
                continue
            ready = multiprocessing.connection.wait([w.conn for w in busy], timeout=_POLL)
            done: list[tuple[Task, Outcome]] = []
            for worker in busy:
                if worker.conn in ready:
                    done.extend(self._collect(worker, ocr_queue))
                elif (failure := self._check_deadline(worker)) is not None:
                    done.append(failure)
            # Workers get their next task before the results are handed over, so that
            # they analyse while the caller files.
            more = refill()
            if not done and idle is not None:
                idle()
            yield from done

    def _in_progress(self, ocr_queue: deque[Task]) -> bool:
        """Whether a task sent is not finished yet (in a worker, waiting for OCR or again)."""
        return bool(ocr_queue or self.retry) or any(w.tasks for w in self.text + self.ocr)

    def _idle(self, pool: list[_Worker], size: int, queue: int) -> _Worker | None:
        """A worker with room for one more task: an idle one, a new one, else the least busy."""
        for worker in pool:
            if not worker.tasks:
                return worker
        if len(pool) < size:
            self._warm()
            worker = _Worker(self.context, self.memory, queue)
            pool.append(worker)
            return worker
        roomy = [w for w in pool if w.has_room()]
        return min(roomy, key=lambda w: len(w.tasks)) if roomy else None

    def _warm(self) -> None:
        """Read the issuers' data files and the gates once, before a fork, for every worker."""
        if self.warmed:
            return
        self.warmed = True
        load_gates()
        for issuer in self.context.issuers:
            if isinstance(issuer, DataIssuer):
                try:
                    _ = issuer.data
                except Exception:  # left to the workers: they report it on each document
                    continue

    def _collect(self, worker: _Worker, ocr_queue: deque[Task]) -> Iterator[tuple[Task, Outcome]]:
        task = worker.task
        assert task is not None
        try:
            result = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=1.0)  # let it finish dying, to read how it died
            if self._spare(worker):
                # Died between two documents: none of its tasks is to blame.
                self._replace(worker, blame=False)
                return
            yield task, self._replace(worker)
            return
        if isinstance(result, Failure):  # over its memory limit; the worker has exited
            yield task, self._replace(worker, limit=result.limit)
            return
        worker.tasks.popleft()
        if worker.tasks:
            worker.restart_clock()
        if isinstance(result, str):  # the core failed on this document: a traceback
            yield task, Failure("analysis", 0.0, trace=result)
            return
        if result.needs_ocr:
            ocr_queue.append(Task(task.key, task.name, task.path, allow_ocr=True))
            return
        yield task, result

    def _check_deadline(self, worker: _Worker) -> tuple[Task, Failure] | None:
        task = worker.task
        assert task is not None
        if not worker.process.is_alive():
            if worker.conn.poll():
                return None  # its last answers are still to be read: _collect reads them
            if self._spare(worker):
                self._replace(worker, blame=False)
                return None
            return task, self._replace(worker)
        now = time.monotonic()
        if now - worker.begun.value > self.document_timeout:
            return task, self._replace(worker, limit="time")
        limit = self._limit(worker.current_phase())
        if limit is None or now - worker.started.value <= limit:
            return None
        return task, self._replace(worker)

    def _spare(self, worker: _Worker) -> bool:
        """Whether a dead worker's first task is spared: it had not begun it.

        Once only: a task whose worker dies again before beginning it (a worker that cannot
        even start) is then blamed, so that a run always ends.
        """
        task = worker.task
        if task is None or worker.began_first() or task.key in self.spared:
            return False
        self.spared.add(task.key)
        return True

    def _limit(self, phase: str) -> float | None:
        """The time limit of one step (``None``: the document's limit alone)."""
        if phase.startswith("ocr"):
            return self.ocr_timeout + 10.0
        if phase in PDF_PHASES:
            return None
        return self.plugin_timeout

    def _replace(
        self, worker: _Worker, *, limit: str | None = None, blame: bool = True
    ) -> Failure:
        """Kill a stuck or dead worker and put a fresh one in its place.

        Its tasks not begun are sent again first; with ``blame``, the first task is the
        one the returned failure is about, else it is sent again too.

        A worker that died by itself is a crash; under a memory limit, a death by SIGABRT
        (pdfium failing an allocation) or by a SIGKILL not sent here is the memory limit.
        """
        phase = worker.current_phase()
        seconds = time.monotonic() - worker.begun.value
        crashed = limit is None and not worker.process.is_alive()
        if crashed and self.memory and worker.process.exitcode in _MEMORY_DEATHS:
            limit = "memory"
        pool = self.ocr if worker in self.ocr else self.text
        # The tasks it had not begun go to another worker, before any new one; the first
        # too when it is not to blame (the failure returned is then not used).
        waiting = list(worker.tasks)[1:] if blame else list(worker.tasks)
        self.retry.extendleft(reversed(waiting))
        worker.tasks.clear()
        worker.stop(kill=True)
        pool.remove(worker)
        return Failure(phase, seconds, crashed=crashed, limit=limit)
