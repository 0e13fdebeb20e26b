"""Servers forked from a warm process: ``podium serve`` without paying for its imports.

A test server is a real process (its own pid, sockets, signals, data dir and log), but
starting one as ``python -m podium.cli serve`` spends ~0.45 s of CPU importing Python
modules before it does anything, and the suite starts some 400. So each pytest process
keeps one *zygote*: a child that imported what ``podium serve`` needs once and then forks,
for each start, a child that runs ``podium.cli.main.main(argv)`` with the environment,
working directory, log and open-file limit asked for (``spawn``), or runs a command to its
end and gives its output (``run``: ``podium check``, ``podium token rotate``...).
``Forked`` answers as much of ``subprocess.Popen`` as the tests use (``pid``, ``poll``,
``wait``, ``send_signal``, ``returncode``); the zygote reaps its children and tells their
exit status. A server whose test sets a ``PYTHON*`` variable (code run as Python starts) or
runs another command (the installed wheel's) starts through ``subprocess`` (``helpers.py``).
The zygote changes no signal's handling, so its children start with Python's own, as a new
interpreter would.

Protocol (the zygote's stdin and stdout, one JSON object a line): ``{"spawn": {...}}`` ->
``{"pid": N}``; ``{"status": N}`` -> ``{"code": C}`` (``null`` while it runs, negative for
a signal, as ``Popen.returncode``). At EOF the zygote kills what it started and exits.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent
WARM = ("podium.cli.main", "podium.cli.serve", "podium.live.serve")


class Zygote:
    """The pytest process's side: one zygote, started at the first spawn."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "tests.forked"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    cwd=REPO,
                )
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the zygote that forks test servers exited; see stderr above")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def spawn(
        self,
        argv: list[str],
        env: dict[str, str],
        log: Path,
        cwd: Path | None = None,
        nofile: int | None = None,
        err: Path | None = None,
    ) -> Forked:
        """``podium ARGV``, its output appended to ``log`` (its errors to ``err``, if given)."""
        for path in (log, err or log):
            path.touch()  # there when ``spawn`` returns, as ``Popen(stdout=log.open())`` leaves it
        request = {"argv": argv, "env": env, "out": str(log), "err": str(err or log)}
        answer = self._ask({"spawn": {**request, "cwd": cwd and str(cwd), "nofile": nofile}})
        return Forked(self, int(answer["pid"]), argv)

    def run(
        self, argv: list[str], env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        """``podium ARGV`` to its end, as ``subprocess.run(..., capture_output=True,
        text=True, timeout=...)`` gives it."""
        with tempfile.TemporaryDirectory() as folder:
            out, err = Path(folder) / "out", Path(folder) / "err"
            child = self.spawn(argv, env, out, err=err)
            try:
                code = child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                raise
            return subprocess.CompletedProcess(argv, code, out.read_text(), err.read_text())

    def status(self, pid: int) -> int | None:
        code = self._ask({"status": pid})["code"]
        return None if code is None else int(code)


ZYGOTE = Zygote()


class Forked:
    """A server forked by the zygote, seen as ``subprocess.Popen`` sees its child."""

    def __init__(self, zygote: Zygote, pid: int, args: list[str]) -> None:
        self.zygote = zygote
        self.pid = pid
        self.args = args
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            time.sleep(0.01)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


# The zygote's side.


def _child(spec: dict[str, Any]) -> None:
    """In the forked child: become ``podium ARGV`` with the asked environment, then exit."""
    code: int = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, spec["out"]), (2, spec["err"])):
            opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        os.close(null)
        if spec["nofile"] is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (spec["nofile"], spec["nofile"]))
        if spec["cwd"]:
            os.chdir(spec["cwd"])
        os.environ.clear()
        os.environ.update(spec["env"])
        sys.argv = ["podium", *spec["argv"]]
        from podium.cli.main import main

        code = main(spec["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap(codes: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        codes[pid] = os.waitstatus_to_exitcode(status)


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer requests until EOF, then kill every child still running."""
    started: set[int] = set()
    codes: dict[int, int] = {}
    for line in requests:
        request = json.loads(line)
        if "spawn" in request:
            pid = os.fork()
            if pid == 0:
                _child(request["spawn"])
            started.add(pid)
            answer: dict[str, Any] = {"pid": pid}
        else:
            _reap(codes)
            pid = int(request["status"])
            answer = {"code": codes.get(pid)}
        answers.write(json.dumps(answer).encode() + b"\n")
        answers.flush()
    _reap(codes)
    for pid in started - codes.keys():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _reap(codes)


def main() -> None:
    import importlib

    for module in WARM:
        importlib.import_module(module)
    serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
