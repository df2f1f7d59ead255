"""Children that die with their parent: prctl, and the lifeline pipe on its own."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    """The pids still alive after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if alive(pid)]
        if not left:
            return []
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def start(script: str) -> tuple[subprocess.Popen[str], int]:
    """Run ``script`` in a fresh interpreter; it prints its child's pid; return both."""
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    return parent, child


def kill(parent: subprocess.Popen[str]) -> None:
    parent.send_signal(signal.SIGKILL)
    parent.wait()


def test_a_child_started_with_die_with_parent_is_killed_with_it() -> None:
    parent, child = start(
        "import subprocess, time\n"
        "from attest_pipeline.processes import die_with_parent\n"
        "child = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent)\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    assert alive(child)
    kill(parent)
    assert wait_gone([child]) == []


def test_the_lifeline_alone_ends_a_child_whose_parent_died() -> None:
    # Without prctl (another system): the pipe's end of file is enough.
    parent, child = start(
        "import os, time\n"
        "from attest_pipeline import processes\n"
        "processes._PRCTL = None\n"
        "line = processes.lifeline()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    line.watch()\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    time.sleep(0.3)
    assert alive(child)
    kill(parent)
    assert wait_gone([child]) == []


def test_die_with_parent_is_supported_here() -> None:
    assert sys.platform.startswith("linux")
    script = "from attest_pipeline.processes import die_with_parent; print(die_with_parent())"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"
