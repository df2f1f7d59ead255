"""Child processes that never outlive the process that started them.

A worker left behind by a parent killed with SIGKILL (the OOM killer, a closed SSH session)
would keep the caller's terminal, and documents half-read, for ever. Two mechanisms, so
that one failing is not enough:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the child when the
  thread that forked it dies (workers and Tesseract are started from their parent's main
  thread, which lives as long as the process);
- everywhere, a *lifeline*: a pipe whose write end only the parent holds; a thread of the
  child blocks reading it, and its end of file (the parent is gone, however it died) ends
  the child.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

#: ``prctl`` option from <linux/prctl.h>.
PR_SET_PDEATHSIG = 1

#: Exit status of a child that found its parent gone.
ORPHANED = 70


def _load_prctl() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The C library is already loaded in every Python process: its symbols are the
        # process's own (looking its file up, ctypes.util runs ldconfig: 3 to 10 ms).
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    function: ctypes._CFuncPtr = libc.prctl  # type: ignore[name-defined]
    function.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    function.restype = ctypes.c_int
    return function


# Resolved once in the parent: a child calls it between fork and exec, where loading a
# library is not safe.
_PRCTL = _load_prctl()


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; False where unsupported.

    Safe as ``subprocess``'s ``preexec_fn`` (a single call to a function resolved before
    the fork).
    """
    if _PRCTL is None:
        return False
    return bool(_PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0) == 0)


class Lifeline:
    """A pipe held open by the parent only; its end of file tells a child the parent died.

    Create it in the parent before forking; in each child, call :meth:`watch` first thing.
    One per process: every child closes the same write end, so that only the parent keeps
    the pipe open.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.read_end, self.write_end = os.pipe()

    def watch(self) -> None:
        """In a child: die with the parent (prctl where available, and the pipe's end)."""
        die_with_parent()
        os.close(self.write_end)
        if os.getppid() != self.pid:  # the parent died before the prctl took effect
            os._exit(ORPHANED)
        threading.Thread(target=self._wait, name="lifeline", daemon=True).start()

    def _wait(self) -> None:
        while True:
            try:
                if not os.read(self.read_end, 1):
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        # No clean-up: the parent is gone and what this process was doing is void; the
        # next run takes its document again from the working area.
        os._exit(ORPHANED)


_lifeline: Lifeline | None = None


def lifeline() -> Lifeline:
    """The lifeline of the current process (created on first use, and anew in a child)."""
    global _lifeline
    if _lifeline is None or _lifeline.pid != os.getpid():
        _lifeline = Lifeline()
    return _lifeline
