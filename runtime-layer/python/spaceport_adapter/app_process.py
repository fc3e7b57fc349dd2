"""The app's server process: `/bin/sh -c <command>` in its own session (so a signal reaches everything it started),
its output passed on line by line to the adapter's stdout/stderr, the last lines kept for error messages."""
import collections
import os
import signal
import subprocess
import sys
import threading
import time

TAIL_LINES = 20


def _group_running(pgid):
    """True while a process of group `pgid` is running. Zombies do not count: an app whose sh died first of the same
    SIGTERM is reparented to PID 1, which may reap it late, and its zombie would hold the group open until the
    SIGKILL deadline, spending the runtime's share of Lambda's shutdown phase for nothing."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat_file:
                stat = stat_file.read()
        except OSError:
            continue  # exited meanwhile
        # After the parenthesised command name: state, ppid, pgrp.
        state, _, pgrp = stat[stat.rindex(b")") + 2:].split(b" ", 3)[:3]
        if int(pgrp) == pgid and state != b"Z":
            return True
    return False


# How long an exited app's last output may take to arrive through its pipes before a start failure is reported.
OUTPUT_DRAIN_SECONDS = 0.5


class AppProcess:
    def __init__(self, command, cwd, env):
        self.command = command
        self._tail = collections.deque(maxlen=TAIL_LINES)
        # Set whenever the app prints: servers often print when they listen, so readiness can look right away.
        self.output_seen = threading.Event()
        self._forwarders = []
        try:
            self._child = subprocess.Popen(
                ["/bin/sh", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            )
        except OSError as error:
            self._child = None
            self._tail.append(str(error))
            return
        self._forwarders = [
            threading.Thread(target=self._forward_lines, args=(source, target), daemon=True)
            for source, target in ((self._child.stdout, sys.stdout.buffer), (self._child.stderr, sys.stderr.buffer))
        ]
        for forwarder in self._forwarders:
            forwarder.start()

    @property
    def pid(self):
        """The process id of `sh`, which is also the app's process group id (None when it could not start)."""
        return None if self._child is None else self._child.pid

    def exit_status(self):
        """None while running, else (code, signal name or None); a process that could not start counts as 126."""
        if self._child is None:
            return (126, None)
        code = self._child.poll()
        if code is None:
            return None
        if code < 0:
            return (None, signal.Signals(-code).name)
        return (code, None)

    def output_tail(self):
        """The last lines printed; once the app exited, its final lines too (its pipes may still hold them)."""
        if self._child is not None and self._child.poll() is not None:
            self._drain_output()
        return "\n".join(self._tail)

    def _drain_output(self):
        """Waits for the forwarders to pass on what an exited app printed last; bounded, as a grandchild that
        outlives sh may keep the pipes open."""
        deadline = time.monotonic() + OUTPUT_DRAIN_SECONDS
        for forwarder in self._forwarders:
            forwarder.join(max(0.0, deadline - time.monotonic()))

    def signal(self, signum):
        """Sends `signum` to the app's whole process group (which outlives sh when the command forks)."""
        if self._child is None:
            return False
        self._child.poll()  # reap sh, so a group of zombies only does not count as alive
        try:
            os.killpg(self._child.pid, signum)
            return True
        except ProcessLookupError:
            return False

    def stop(self, grace_seconds):
        """SIGTERM to the group, then SIGKILL to whatever is left of it after `grace_seconds`."""
        self.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while self.signal(0) and _group_running(self._child.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.signal(signal.SIGKILL)
        # Its last words (a shutdown message) reach the log before the adapter exits.
        self._drain_output()

    def kill(self):
        self.signal(signal.SIGKILL)

    def _forward_lines(self, source, target):
        for line in iter(source.readline, b""):
            if not line.endswith(b"\n"):
                line += b"\n"
            target.write(line)
            target.flush()
            self._tail.append(line[:-1].decode("utf-8", "replace"))
            self.output_seen.set()
