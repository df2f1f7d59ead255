from __future__ import annotations

import os
import signal
import threading

import pytest

from attest_pipeline.signals import stop_on_signals


def test_sigterm_asks_for_a_stop_and_the_handlers_are_restored_after() -> None:
    before = signal.getsignal(signal.SIGTERM)
    stops: list[str] = []
    with stop_on_signals(lambda: stops.append("stop")):
        os.kill(os.getpid(), signal.SIGTERM)
    assert stops == ["stop"]
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_second_ctrl_c_interrupts_at_once() -> None:
    stops: list[str] = []
    with pytest.raises(KeyboardInterrupt), stop_on_signals(lambda: stops.append("stop")):
        os.kill(os.getpid(), signal.SIGINT)
        assert stops == ["stop"]
        os.kill(os.getpid(), signal.SIGINT)
    assert stops == ["stop"]


def test_outside_the_main_thread_no_handler_is_installed() -> None:
    seen: list[object] = []

    def run() -> None:
        with stop_on_signals(lambda: None):
            seen.append(signal.getsignal(signal.SIGTERM))

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [before]
