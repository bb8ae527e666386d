"""The run lock: one holder at a time, a clear message naming it, stale locks taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newspipe.lock import Holder, LockHeld, RunLock, is_stale, lock_paths


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    return int(done.stdout)


def test_a_second_holder_is_refused_with_the_first_named(tmp_path: Path) -> None:
    first = RunLock(tmp_path / ".newspipe.lock", run_id="run1")
    first.acquire()
    second = RunLock(tmp_path / ".newspipe.lock", run_id="run2")
    with pytest.raises(LockHeld) as caught:
        second.acquire()
    message = str(caught.value)
    assert "\n" not in message
    assert f"pid {os.getpid()} on {socket.gethostname()}" in message
    assert "run run1" in message and "started 20" in message
    first.release()
    assert not (tmp_path / ".newspipe.lock").exists()
    second.acquire()  # free again
    assert second.held
    second.release()


def test_a_holder_that_has_just_taken_the_lock_is_named_too(tmp_path: Path) -> None:
    path = tmp_path / ".newspipe.lock"
    holder = Holder(os.getpid(), socket.gethostname(), time.time(), "quick")
    # Another process takes the flock, waits a moment, then writes its name (as a run does).
    script = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "time.sleep(0.1)\n"
        f"os.pwrite(fd, {holder.to_json()!r}.encode(), 0)\n"
        "sys.stdin.read()\n"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld) as caught:
            RunLock(path, run_id="second").acquire()
        assert "run quick" in str(caught.value)
    finally:
        other.communicate("")


def test_a_lock_file_without_a_live_flock_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / ".newspipe.lock"
    path.write_text(Holder(dead_pid(), socket.gethostname(), time.time(), "dead").to_json())
    lock = RunLock(path, run_id="run2")
    lock.acquire()
    assert json.loads(path.read_text())["run_id"] == "run2"
    lock.release()


def test_a_held_lock_older_than_the_bound_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / ".newspipe.lock"
    hung = RunLock(path, run_id="hung")
    hung.acquire()
    # Pretend it was taken long ago on another host (so its pid cannot be checked).
    path.write_text(Holder(1, "elsewhere", time.time() - 7200, "hung").to_json())
    with pytest.raises(LockHeld):
        RunLock(path, run_id="patient", stale_after=0).acquire()
    taker = RunLock(path, run_id="taker", stale_after=3600)
    taker.acquire()
    assert json.loads(path.read_text())["run_id"] == "taker"
    with pytest.raises(LockHeld):
        RunLock(path, run_id="third").acquire()
    taker.release()
    hung.release()


@pytest.mark.parametrize(
    ("holder", "stale"),
    [
        (None, False),
        (Holder(os.getpid(), "here", 1000.0), False),  # alive on this host, young
        (Holder(dead_pid(), "here", 1000.0), True),  # dead on this host
        (Holder(dead_pid(), "there", 1000.0), False),  # another host: the pid says nothing
        (Holder(dead_pid(), "there", 0.0), True),  # another host, too old
    ],
)
def test_is_stale(holder: Holder | None, stale: bool) -> None:
    assert is_stale(holder, now=2000.0, stale_after=1500.0, host="here") is stale


def test_a_state_file_elsewhere_gets_its_own_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert lock_paths(out, out / "newspipe-state.sqlite") == [out / ".newspipe.lock"]
    assert lock_paths(out, None) == [out / ".newspipe.lock"]
    assert lock_paths(out, tmp_path / "shared.sqlite") == [
        out / ".newspipe.lock",
        tmp_path / "shared.sqlite.lock",
    ]
