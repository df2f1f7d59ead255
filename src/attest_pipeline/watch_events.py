"""Change events for ``attest watch``: watchdog's observer on the inbox, as hints only.

watchdog's thread only records paths in a set (:class:`Hints`): an exception raised there
would silently kill the observer while the process keeps running blind. :class:`Events`
starts the observer, tells whether its threads still run (deleting the inbox ends them) and
stops it; the watcher's loop (:mod:`~attest_pipeline.watch`) restarts it when it died.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attest_pipeline.inbox import is_ignored

if TYPE_CHECKING:
    from watchdog.observers.api import BaseObserver


class Hints:
    """Paths named by change events, collected from watchdog's thread for the watcher's loop.

    ``dispatch`` is watchdog's entry point: it only adds a path to a set, and never raises.
    """

    def __init__(self, inbox: Path) -> None:
        self.inbox = str(inbox)
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._pending = threading.Event()

    def dispatch(self, event: Any) -> None:
        """Record the paths of a watchdog event (called in watchdog's thread)."""
        try:
            if event.is_directory:
                return
            self.add(os.fsdecode(event.src_path))
            dest = getattr(event, "dest_path", "")
            if dest:
                self.add(os.fsdecode(dest))
        except Exception:  # the folder rescan is the safety net
            pass

    def add(self, path: str) -> None:
        """Record one path if it is a top-level file of the inbox that is for us."""
        folder, name = os.path.split(path)
        if folder != self.inbox or not name or is_ignored(name):
            return
        with self._lock:
            self._paths.add(path)
            self._pending.set()

    def take(self, timeout: float) -> list[Path]:
        """Return the paths recorded so far, waiting up to ``timeout`` seconds for one."""
        if timeout > 0:
            self._pending.wait(timeout)
        with self._lock:
            paths, self._paths = self._paths, set()
            self._pending.clear()
        return [Path(path) for path in paths]


def inbox_identity(inbox: Path) -> tuple[int, int] | None:
    """The folder's device and inode (a folder deleted and made again differs); ``None`` if gone."""
    try:
        info = os.stat(inbox)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None


class Events:
    """watchdog's observer of one folder, feeding :class:`Hints`; started again at will."""

    def __init__(self, inbox: Path, hints: Hints) -> None:
        self.inbox = inbox
        self.hints = hints
        self.observer: BaseObserver | None = None
        #: The identity of the folder being observed (see :func:`inbox_identity`).
        self.watched: tuple[int, int] | None = None

    def start(self) -> OSError | None:
        """(Re)start observing; the error when change events are unavailable, else ``None``."""
        from watchdog.events import (
            FileAttribEvent,
            FileClosedEvent,
            FileCreatedEvent,
            FileModifiedEvent,
            FileMovedEvent,
        )
        from watchdog.observers import Observer

        self.stop()
        self.watched = inbox_identity(self.inbox)
        if self.watched is None:
            return None
        observer = Observer()
        try:
            observer.schedule(
                self.hints,  # type: ignore[arg-type]
                str(self.inbox),
                recursive=False,
                event_filter=[FileCreatedEvent, FileModifiedEvent, FileMovedEvent,
                              FileClosedEvent, FileAttribEvent],
            )
            observer.start()
        except OSError as error:
            return error
        self.observer = observer
        return None

    def alive(self) -> bool:
        """Whether watchdog's threads are still running (an inbox deleted ends them)."""
        observer = self.observer
        if observer is None or not observer.is_alive():
            return False
        emitters = observer.emitters
        return bool(emitters) and all(emitter.is_alive() for emitter in emitters)

    def stop(self) -> None:
        """Stop observing (nothing to do when not started)."""
        _quiet_watchdog_shutdown()
        observer, self.observer = self.observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)


class _ShutdownNoise(logging.Filter):
    """Drops the error watchdog logs when its inotify thread is stopped mid-read (harmless)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in record.getMessage()


def _quiet_watchdog_shutdown() -> None:
    logger = logging.getLogger("watchdog.observers.inotify")
    if not any(isinstance(f, _ShutdownNoise) for f in logger.filters):
        logger.addFilter(_ShutdownNoise())
