"""Helpers for conclab's end-to-end tests: running commands, fixture courses, shared setup, grading outputs.

Plain functions and classes with no pytest fixtures in them; conftest.py turns them into fixtures.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

LAB_ID = "99.01"
LAB_REL = Path("labs/99-fixture/01-counter")
LAB_FILE = "counter.hpp"
# The one test the fixture implementations break; lab.toml [points] makes it worth 2 in graded courses.
CONCURRENT_TEST = "CounterTest.AddsFromManyThreads"
# The starter and reference targets the maint verify tests need, per build tree.
VARIANT_TARGETS = {
    "build/default": ["lab_99_01_learner", "lab_99_01_naive", "lab_99_01_improved", "lab_99_01_final"],
    "build/tsan": ["lab_99_01_naive", "lab_99_01_final"],
}
# The generated class (conftest's class_submissions): learner -> the points they must get, out of 5.
CLASS_SCORES = {"alice": 5, "bob": 5, "carol": 1, "dave": 3, "erin": 0, "frank": 1, "grace": 3, "heidi": 3,
                "ivan": 1, "judy": 5}

# Every conclab command runs under a timeout: several fixtures exist to prove it never hangs, and a test
# that hangs would hide that. The bash scripts used the same bounds.
DEFAULT_TIMEOUT = 600
GRADE_TIMEOUT = 900

# Environment variables that would make conclab find another course, autograder or grading options than
# the ones a test gives it.
_SCRUBBED_ENV = ("CONCLAB_ROOT", "AUTOGRADER_ROOT", "CONCLAB_GRADE_ARGS")


# ---------------------------------------------------------------------------------------------- running


@dataclass
class Result:
    """One finished command: its exit code and its combined stdout + stderr."""

    argv: list[str]
    cwd: Path
    code: int
    output: str
    seconds: float

    def __str__(self) -> str:
        cmd = " ".join(str(a) for a in self.argv)
        return f"`{cmd}` (in {self.cwd}) exited {self.code} after {self.seconds:.1f}s. Output:\n{self.output}"


def command_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every command: NO_COLOR=1, and CONCLAB set to the conclab under test, which the
    course's scripts (make-autograder.sh, make-student-release.sh, run_autograder) use instead of building
    their own."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env["NO_COLOR"] = "1"
    if os.environ.get("CONCLAB_BIN"):
        env["CONCLAB"] = str(Path(os.environ["CONCLAB_BIN"]).resolve())
    env.update(extra or {})
    return env


def run(argv: list, cwd: Path, *, timeout: float = DEFAULT_TIMEOUT, env: dict[str, str] | None = None) -> Result:
    """Runs argv in cwd, NO_COLOR=1, stdout and stderr together. A command still running after `timeout`
    seconds is killed with its whole process group (a hung check leaves gdb and test programs behind
    otherwise) and fails the test."""
    argv = [str(a) for a in argv]
    start = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, env=command_env(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, _ = proc.communicate()
        pytest.fail(f"`{' '.join(argv)}` (in {cwd}) did not finish within {timeout}s; it was killed. "
                    f"Output so far:\n{out.decode(errors='replace')}", pytrace=False)
    return Result(argv, Path(cwd), proc.returncode, out.decode(errors="replace"), time.monotonic() - start)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Terminal:
    """A conclab command on a pseudo-terminal: what a learner sees on the screen, what they type, Ctrl-C.

    `read_until(text)` returns what was printed since the previous call, up to and including `text`; what came
    after it waits in `seen`. `wait()` waits for the command to end and adds everything it printed until then
    to `seen` (read to the end of the pty before it is closed: the last lines come after the exit is seen)."""

    def __init__(self, course, *args: str, env: dict[str, str] | None = None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: conclab, with the pty as its terminal
            os.chdir(course.root)
            os.execve(str(course.conclab), [str(course.conclab), *args], command_env(env))
        self.seen = ""

    def read_until(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        end = time.monotonic() + timeout
        while text not in self.seen and time.monotonic() < end:
            if not self._read(0.5):
                if self._closed:
                    break
        if text not in self.seen:
            raise AssertionError(f"conclab did not print {text!r} within {timeout}s. It printed:\n{self.seen}")
        at = self.seen.index(text) + len(text)
        out, self.seen = self.seen[:at], self.seen[at:]
        return out

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def ctrl_c(self) -> None:
        os.write(self.fd, b"\x03")  # the terminal turns it into SIGINT for conclab

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self._read(0):  # what it printed before it ended, still in the pty
                    pass
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self._read(0.2)  # keep the pty drained so the child never blocks on a full buffer
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"conclab did not exit within {timeout}s. It printed:\n{self.seen}")

    _closed = False

    def _read(self, wait: float) -> bool:
        """Reads what is there (waiting up to `wait` seconds for something) into `seen`; False when nothing came."""
        try:
            if not select.select([self.fd], [], [], wait)[0]:
                return False
            chunk = os.read(self.fd, 65536)
        except OSError:  # the child has exited and the pty is closed
            self._closed = True
            return False
        if not chunk:
            self._closed = True
            return False
        self.seen += _ANSI.sub("", chunk.decode(errors="replace")).replace("\r\n", "\n")
        return True


def kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def expect_exit(res: Result, code: int, what: str = "") -> None:
    assert res.code == code, f"{what + ': ' if what else ''}expected exit {code}; {res}"


def expect_in(res: Result | str, text: str, what: str) -> None:
    output = res.output if isinstance(res, Result) else res
    assert text in output, f"{what}: expected the output to contain {text!r}. {res}"


def expect_not_in(res: Result | str, text: str, what: str) -> None:
    output = res.output if isinstance(res, Result) else res
    assert text not in output, f"{what}: expected the output NOT to contain {text!r}. {res}"


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, poll: float = 0.2) -> None:
    """Polls until predicate() is true; fails with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}", pytrace=False)
        time.sleep(poll)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def bwrap_works() -> bool:
    """Can bubblewrap make a sandbox here? (Containers often forbid it.)"""
    try:
        return subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "true"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# ---------------------------------------------------------------------------------------------- folders


def make_open_dir(parent: Path, prefix: str) -> Path:
    """A new folder that every user can enter (0755): as root, `conclab grade` builds and runs submissions
    as unprivileged users, who must reach the scratch copies."""
    parent.mkdir(parents=True, exist_ok=True)
    d = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    d.chmod(0o755)
    return d


def copy_fixture_course(src: Path, dest: Path, *, with_tools: bool = False, points: bool = False,
                        git_init: bool = True) -> Path:
    """The fixture course: the course's build files
    (CMakeLists.txt, CMakePresets.json, cmake/, support/) and tests/fixture's labs/, solutions/, modules/.

    with_tools: also conclab's sources, its ./conclab wrapper and scripts/setup.sh (the autograder zip
    carries them).
    points: lab.toml gets [points], the concurrent test worth 2 (5 points in all).
    git_init: a git repository with one commit (conclab reset restores starters from git)."""
    fixture = src / "tools/conclab/tests/fixture"
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o755)
    for name in ("CMakeLists.txt", "CMakePresets.json"):
        shutil.copy2(src / name, dest / name)
    for name in ("cmake", "support"):
        shutil.copytree(src / name, dest / name, symlinks=True)
    for name in ("labs", "solutions", "modules"):
        shutil.copytree(fixture / name, dest / name, symlinks=True)
    if with_tools:
        if (src / "conclab").is_file():
            shutil.copy2(src / "conclab", dest / "conclab")
        tools = dest / "tools/conclab"
        tools.mkdir(parents=True)
        shutil.copy2(src / "tools/conclab/CMakeLists.txt", tools / "CMakeLists.txt")
        for name in ("src", "tests"):
            shutil.copytree(src / "tools/conclab" / name, tools / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        (dest / "scripts").mkdir()
        shutil.copy2(src / "scripts/setup.sh", dest / "scripts/setup.sh")
    if points:
        with open(dest / LAB_REL / "lab.toml", "a") as f:
            f.write(f'\n[points]\n"{CONCURRENT_TEST}" = 2\n')
    if git_init:
        subprocess.run(["git", "init", "-q", str(dest)], check=True)
        git(dest, "add", "-A")
        git(dest, "commit", "-qm", "fixture")
    return dest


@dataclass
class Course:
    """A fixture course on disk and the conclab under test, run from inside it."""

    root: Path
    conclab: Path
    src: Path

    @property
    def lab(self) -> Path:
        return self.root / LAB_REL

    @property
    def lab_file(self) -> Path:
        return self.lab / LAB_FILE

    @property
    def state_dir(self) -> Path:
        return self.root / ".conclab"

    def run(self, *args: str, timeout: float = DEFAULT_TIMEOUT) -> Result:
        """`conclab ARGS` with the course as the current directory (how a learner runs it)."""
        return run([self.conclab, *args], self.root, timeout=timeout)

    def use_impl(self, name: str) -> None:
        """Puts tests/fixture/impls/<name>/counter.hpp in the lab, as a learner saving their file would."""
        shutil.copyfile(impl_path(self.src, name), self.lab_file)

    def restore(self) -> None:
        """Back to a fresh course: the lab's files as committed, no progress, no backups. Build trees stay
        (the next check rebuilds what changed: git rewrites the files it restores, so they are newer)."""
        git(self.root, "checkout", "-q", "--", "labs")
        git(self.root, "clean", "-fdq", "--", "labs")
        shutil.rmtree(self.state_dir, ignore_errors=True)


def impl_path(src: Path, name: str) -> Path:
    return src / "tools/conclab/tests/fixture/impls" / name / LAB_FILE


# ------------------------------------------------------------------------------------ shared, built once


class Shared:
    """Something expensive (a built course, a graded class) made once per test run, by whichever xdist
    worker needs it first, under an fcntl lock on <root>/<name>.lock; the others wait for it, then read
    what it recorded. A failed setup is recorded too, so the other workers fail at once with its reason
    instead of building it again."""

    def __init__(self, root: Path, name: str):
        self.name = name
        self.path = root / name
        self._build_lock = root / f"{name}.lock"
        self._use_lock = root / f"{name}.use.lock"
        self._ready = root / f"{name}.ready.json"
        self._failed = root / f"{name}.failed.txt"

    @staticmethod
    @contextlib.contextmanager
    def _flock(path: Path) -> Iterator[None]:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def locked(self):
        """Exclusive use of what was built, across every worker of this run, for a test that changes it.
        (Not the lock get() builds under: tests that only read it need not wait for one that changes it.)
        Never nested: a second flock on the same file from the same process would wait for itself."""
        return self._flock(self._use_lock)

    def get(self, build: Callable[[Path], dict | None]) -> dict:
        """Runs build(path) unless it already ran in this test run; returns what it returned (JSON)."""
        with self._flock(self._build_lock):
            if self._failed.exists():
                pytest.fail(f"setting up {self.name!r} failed earlier in this run (in another test):\n"
                            f"{self._failed.read_text()}", pytrace=False)
            if not self._ready.exists():
                self.path.mkdir(parents=True, exist_ok=True)
                self.path.chmod(0o755)
                try:
                    info = build(self.path) or {}
                except BaseException as e:
                    text = "".join(traceback.format_exception_only(type(e), e))
                    self._failed.write_text(text if not isinstance(e, pytest.fail.Exception) else str(e))
                    raise
                self._ready.write_text(json.dumps(info))
            return json.loads(self._ready.read_text())


# ------------------------------------------------------------------------------------ network listener


class LoopbackListener:
    """A TCP listener on the host's 127.0.0.1 that records every connection it accepts. The `network`
    hostile submission tries to reach it from inside the grading sandbox, which must not work."""

    def __init__(self, log: Path):
        self.log = log
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.5)
        self.port: int = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="conclab-e2e-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                c, peer = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            with open(self.log, "a") as f:
                f.write(f"a connection got through from {peer}\n")
            c.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


# ---------------------------------------------------------------------------------- grading submissions


def fill_hostile_submissions(hostile_src: Path, dest: Path, values: dict[str, str]) -> None:
    """Copies tests/grade_fixtures/<name>/ into dest/<name>/ with @COURSE@, @SUBMISSIONS@, @WORK@, @OUT@,
    @SRC@ and @PORT@ replaced by this run's values."""
    for d in sorted(p for p in hostile_src.iterdir() if p.is_dir()):
        shutil.copytree(d, dest / d.name, symlinks=True)
    pattern = re.compile("|".join(re.escape(f"@{k}@") for k in values))
    for path in dest.rglob("*"):
        if path.is_file() and not path.is_symlink():
            text = path.read_text()
            new = pattern.sub(lambda m: values[m.group(0).strip("@")], text)
            if new != text:
                path.write_text(new)


@dataclass
class GradingOutputs:
    """The outputs of one `conclab grade` run: results.json per learner, grades.csv, junit.xml."""

    out: Path
    csv_rows: dict[str, dict[str, str]] = field(init=False)
    junit: ET.Element = field(init=False)

    def __post_init__(self) -> None:
        with open(self.out / "grades.csv", newline="") as f:
            self.csv_rows = {row["learner"]: row for row in csv.DictReader(f)}
        self.junit = ET.parse(self.out / "junit.xml").getroot()

    def r(self, learner: str) -> dict:
        with open(self.out / learner / "results.json") as f:
            return json.load(f)

    def score(self, learner: str) -> float:
        return self.r(learner)["score"]

    def verdicts(self, learner: str) -> dict[str, str]:
        return {t["name"]: t["extra_data"]["verdict"] for t in self.r(learner)["tests"]}

    def test(self, learner: str, name: str) -> dict:
        tests = [t for t in self.r(learner)["tests"] if t["name"] == name]
        assert len(tests) == 1, f"{learner}: expected one test {name} in results.json, got {self.r(learner)['tests']}"
        return tests[0]

    def describe(self, learner: str) -> str:
        return f"{learner}'s results.json:\n{json.dumps(self.r(learner), indent=1)[:6000]}"

    def structural_problems(self) -> list[str]:
        """The checks on every learner of every run: Gradescope's required keys, the CSV
        total equal to results.json's score, one JUnit testsuite holding every test."""
        problems = []

        def want(cond: bool, what: str) -> None:
            if not cond:
                problems.append(what)

        for learner in self.csv_rows:
            j = self.r(learner)
            want(isinstance(j["score"], (int, float)) and isinstance(j["execution_time"], int),
                 f"{learner}: score/execution_time types")
            for t in j["tests"]:
                for key in ("name", "score", "max_score", "status", "output", "visibility"):
                    want(key in t, f"{learner}: a test has no {key}")
                want(t.get("status") in ("passed", "failed"), f"{learner}: status {t.get('status')}")
                for key in ("runs", "passed_runs", "verdict", "tsan"):
                    want(key in t.get("extra_data", {}), f"{learner}: extra_data has no {key}")
            want(int(self.csv_rows[learner]["total"]) == j["score"],
                 f"{learner}: CSV total {self.csv_rows[learner]['total']} != results.json {j['score']}")
            suite = [s for s in self.junit.iter("testsuite") if s.get("name") == learner]
            want(len(suite) == 1 and int(suite[0].get("tests")) == len(j["tests"]),
                 f"{learner}: one JUnit testsuite with every test")
        return problems
