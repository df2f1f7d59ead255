"""``attest watch``: follow the inbox and file each attestation as soon as it is complete.

The folder is the truth and change events are hints. The watcher takes what is already in
the inbox at start-up, reacts to files created, written or moved in, and rescans the folder
periodically so that a missed event never leaves a file behind. On a network share (SMB,
NFS), where change events do not arrive, it polls instead.

A file is taken only once it is complete (:mod:`~attest_pipeline.readiness`, the rule
``attest run`` applies too): its size and modification time unchanged over the quiet period
and, for a ``.pdf``, a whole PDF. A file that stays unreadable for ``unreadable_after``
seconds is handed over anyway, and the pipeline quarantines it with its reason.

Change events come from :mod:`~attest_pipeline.watch_events` as hints only; the watcher's
own loop does the work,
through one :class:`~attest_pipeline.pipeline.Session` held for its whole lifetime, so that
a concurrent ``attest run`` finds the state lock taken and leaves the inbox alone.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from attest_pipeline.config import Config, WatchConfig
from attest_pipeline.errors import ConfigError
from attest_pipeline.filesystems import NETWORK_FILESYSTEMS, check_state_is_local, filesystem_type
from attest_pipeline.inbox import scan
from attest_pipeline.readiness import QuietTracker
from attest_pipeline.run_summary import Summary
from attest_pipeline.signals import stop_on_signals
from attest_pipeline.text.printable import printable
from attest_pipeline.watch_events import Events, Hints, inbox_identity

if TYPE_CHECKING:
    from attest_pipeline.filing import Filed
    from attest_pipeline.pipeline import DocumentHook, Pipeline, Session

#: Where the watcher's own messages go (start, stop, waiting files, errors).
Say = Callable[[str], None]

#: The longest the loop blocks without looking at the stop flag. Signal handlers only set
#: flags (taking a lock in a handler can deadlock the thread it interrupted).
MAX_WAIT = 0.5
#: The shortest interval between two scans of the folder, whatever the configuration says.
MIN_SCAN_INTERVAL = 0.1
#: Ready files are handed to the session this many at a time: enough to keep every worker
#: busy and commit in groups; a failure sends only its batch back to one-by-one.
BATCH = 50
#: While another process holds the state lock, how often to try again.
LOCK_RETRY = 1.0


# ---------------------------------------------------------------------------- watcher


def _stderr(message: str) -> None:
    print(printable(message, keep_newlines=True), file=sys.stderr, flush=True)


class InboxWatcher:
    """Follows one inbox and feeds complete files to a session, until stopped.

    ``polling`` replaces change events by a scan every ``poll_interval`` seconds. The
    session must stay open while :meth:`run` runs.
    """

    def __init__(
        self,
        session: Session,
        inbox: Path,
        settings: WatchConfig,
        *,
        polling: bool = False,
        on_document: DocumentHook | None = None,
        say: Say = _stderr,
        batch: int | None = None,
    ) -> None:
        self.session = session
        self.inbox = inbox
        self.settings = settings
        self.polling = polling
        self.on_document = on_document
        self.say = say
        self.tracker = QuietTracker(settings.quiet_period, settings.unreadable_after)
        self.hints = Hints(inbox)
        self.events = Events(inbox, self.hints)
        self.summary = Summary()
        self.batch = batch or max(BATCH, 4 * session.supervisor.jobs)
        self._inbox_missing = False
        self._stop = threading.Event()

    @property
    def mode(self) -> str:
        """How the inbox is followed, in words."""
        if self.polling:
            return f"polling every {self.settings.poll_interval:g} s"
        return f"change events, rescan every {self.settings.rescan_interval:g} s"

    @property
    def scan_interval(self) -> float:
        """Seconds between two scans of the whole folder."""
        interval = self.settings.rescan_interval
        if self.polling:
            interval = min(interval, self.settings.poll_interval)
        return max(interval, MIN_SCAN_INTERVAL)

    def run(
        self, stop: threading.Event, *, on_start: Callable[[InboxWatcher], None] | None = None
    ) -> Summary:
        """Follow the inbox until ``stop`` is set; returns what was processed.

        ``on_start`` is called once the watcher is in place, before the first scan.
        """
        self._stop = stop
        self._process([])  # claims an interrupted run left in the working area
        if not self.polling:
            self._start_events()
        self.say(f"watching {self.inbox} ({self.mode}, quiet period "
                 f"{self.settings.quiet_period:g} s); stop with Ctrl-C or SIGTERM")
        if on_start is not None:
            on_start(self)
        next_scan = time.monotonic()
        try:
            while not stop.is_set():
                if time.monotonic() >= next_scan:
                    self._scan()
                    next_scan = time.monotonic() + self.scan_interval
                due = self.tracker.next_due()
                wake = next_scan if due is None else min(next_scan, due)
                timeout = min(max(wake - time.monotonic(), 0.0), MAX_WAIT)
                for path in self.hints.take(timeout):
                    self.tracker.note(path)
                if stop.is_set():
                    break
                found = self.tracker.poll()
                for path in found.incomplete:
                    self.say(
                        f"waiting for {path.name}: not a complete PDF yet; it is taken once "
                        f"complete, or quarantined after {self.settings.unreadable_after:g} s"
                    )
                if found.ready:
                    self._process(found.ready)
        finally:
            self.events.stop()
        return self.summary

    # ----------------------------------------------------------------- folder and events

    def _scan(self) -> None:
        """Look at the whole folder: the truth, whatever events were missed."""
        identity = inbox_identity(self.inbox)
        if identity is None:
            if not self._inbox_missing:
                self._inbox_missing = True
                self.say(f"the inbox {self.inbox} is missing; waiting for it to come back")
            return
        if self._inbox_missing:
            self._inbox_missing = False
            self.say(f"the inbox {self.inbox} is back")
        if not self.polling and (not self.events.alive() or identity != self.events.watched):
            if self.events.observer is not None:
                self.say("change events stopped arriving; watching the inbox again")
            self._start_events()
        names, others = scan(self.inbox)
        for name, kind in self.session.note_ignored(others):
            self.summary.ignore(kind)
            self.say(f"ignored: {name} is a {kind}, never followed, left in the inbox")
        for name in names:
            self.tracker.note(self.inbox / name)

    def _start_events(self) -> None:
        error = self.events.start()
        if error is not None:
            # inotify instances or watches exhausted: the folder can still be polled.
            self.polling = True
            self.say(f"change events unavailable ({error}); {self.mode}")

    # -------------------------------------------------------------------- processing

    def _process(self, paths: Sequence[Path]) -> None:
        """Hand ``paths`` to the session in small batches, each document's failure its own."""
        if not paths:
            self._process_batch([])
            return
        for start in range(0, len(paths), self.batch):
            if self._stop.is_set():
                return  # what is left stays in the inbox for the next start
            self._process_batch(paths[start : start + self.batch])

    def _process_batch(self, batch: Sequence[Path]) -> None:
        try:
            part = self.session.process(batch, on_document=self._document)
        except Exception as error:  # one bad batch must not stop the watcher
            # The session has reset itself: its claims are taken again on the next call.
            if len(batch) <= 1:
                self._failed(batch, error)
                return
            self.say(f"error on a batch of {len(batch)} documents ({_describe(error)}); "
                     "processing them one by one")
            for path in batch:
                if self._stop.is_set():
                    return
                self._process_batch([path])
            return
        self.summary.merge(part)
        for path in batch:
            self.tracker.forget(path)

    def _failed(self, batch: Sequence[Path], error: Exception) -> None:
        if not batch:
            self.say(f"error while recovering interrupted work ({_describe(error)}); "
                     "tried again with the next document")
            return
        path = batch[0]
        delay = self.tracker.defer(path)
        self.say(f"error on {path.name} ({_describe(error)}); left in the inbox, "
                 f"tried again in {delay:g} s")

    def _document(self, name: str, filed: list[Filed]) -> None:
        if self.on_document is not None:
            try:
                self.on_document(name, filed)
            except Exception as error:
                self.say(f"reporting {name} failed: {_describe(error)}")
        if self._stop.is_set():
            self.session.stop()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# ------------------------------------------------------------------------- entry points


def use_polling(config: Config, polling: bool | None, say: Say = _stderr) -> bool:
    """Whether to poll: the flag, else the configuration, else when the inbox is on a share."""
    if polling is not None:
        return polling
    if config.watch.polling:
        return True
    kind = filesystem_type(config.paths.inbox)
    if kind in NETWORK_FILESYSTEMS:
        say(f"the inbox is on a network file system ({kind}), where change events do not "
            "arrive: polling")
        return True
    return False


def _open_session(
    pipeline: Pipeline, jobs: int | None, stop: threading.Event, say: Say
) -> Session | None:
    """Open the session once the state lock is free; ``None`` if stopped while waiting."""
    from attest_pipeline.pipeline import Busy

    told = False
    while not stop.is_set():
        try:
            return pipeline.session(jobs=jobs)
        except Busy as busy:
            if not told:
                say(f"{busy}; waiting for it to finish")
                told = True
        deadline = time.monotonic() + LOCK_RETRY
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
    return None


def watch(
    pipeline: Pipeline,
    *,
    polling: bool | None = None,
    jobs: int | None = None,
    on_document: DocumentHook | None = None,
    stop: threading.Event | None = None,
    say: Say = _stderr,
    on_start: Callable[[InboxWatcher], None] | None = None,
) -> Summary:
    """Follow the pipeline's inbox until ``stop`` is set (or Ctrl-C / SIGTERM in the main thread).

    ``polling`` ``None`` follows the configuration. With ``[mail]`` accounts configured, a
    :class:`~attest_pipeline.mail.collect.MailThread` polls them meanwhile and writes what
    it collects into the inbox. Raises
    :class:`~attest_pipeline.errors.ConfigError` when the state folder is on a network file
    system or the inbox does not exist. While another process holds the state lock, waits.
    """
    config = pipeline.config
    check_state_is_local(config)
    if not config.paths.inbox.is_dir():
        raise ConfigError(
            config.source, f"[paths] inbox ({config.paths.inbox}) is not an existing folder"
        )
    stop = threading.Event() if stop is None else stop
    holder: list[Session] = []
    mail = None
    if config.mail.accounts:
        # [mail]: the same process collects mailed attestations into the inbox.
        from attest_pipeline.mail.collect import MailThread

        mail = MailThread(config, say)
    def stop_all() -> None:
        stop.set()
        for held in holder:
            held.stop()

    with stop_on_signals(stop_all):
        mode = use_polling(config, polling, say)
        session = _open_session(pipeline, jobs, stop, say)
        if session is None:
            return Summary()
        with session:
            holder.append(session)
            watcher = InboxWatcher(
                session, config.paths.inbox, config.watch, polling=mode,
                on_document=on_document, say=say,
            )
            if mail is not None:
                mail.start()
            try:
                summary = watcher.run(stop, on_start=on_start)
            finally:
                if mail is not None:
                    mail.close()
    return summary


def watch_command(pipeline: Pipeline, *, polling: bool | None, jobs: int | None) -> None:
    """``attest watch``: one journal line per attestation on stdout, the rest on stderr."""
    from attest_pipeline.journal import journal_line
    from attest_pipeline.run_summary import notes

    def show(name: str, filed: list[Filed]) -> None:
        for item in filed:
            print(journal_line(name, item), flush=True)

    summary = watch(pipeline, polling=polling, jobs=jobs, on_document=show)
    _stderr(f"stopped: {summary.text()}")
    for line in notes(summary, pipeline.config, waiting=False):
        _stderr(line)
