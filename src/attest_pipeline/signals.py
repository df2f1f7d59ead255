"""How the long-running commands (``attest watch``, ``attest mail``) stop on a signal.

Ctrl-C and SIGTERM ask for a clean stop: the document or the poll in progress is finished,
nothing is left half-filed. A second Ctrl-C interrupts at once, for a user who will not wait.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def stop_on_signals(on_stop: Callable[[], None]) -> Iterator[None]:
    """Call ``on_stop`` on SIGINT or SIGTERM while the block runs; restore the handlers after.

    Only the main thread may install handlers: elsewhere (a test running the command in a
    thread) the block runs without them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        on_stop()
        if signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
