"""Shared fixtures of conclab's end-to-end tests (see README.md in this folder).

The binary under test and the course it comes from are given by the environment:
    CONCLAB_BIN   the conclab executable (e.g. build/cli/bin/conclab)
    CONCLAB_SRC   the course's source root (its CMakeLists.txt, support/, tools/conclab/tests/fixture, scripts/)

Every test works in one scratch folder per pytest run, /tmp/conclab-pytest.XXXXXX (mode 0755: as root,
`conclab grade` builds and runs submissions as unprivileged users, who must be able to enter it), made by
the controlling process and handed to the xdist workers. It is removed at the end unless
CONCLAB_E2E_KEEP=1. Expensive setup is made once per run whichever worker needs it first (`Shared`, an
fcntl lock per item), and a course several tests change is locked by the test using it and restored.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conclab_testlib import (
    CLASS_SCORES,
    DEFAULT_TIMEOUT,
    GRADE_TIMEOUT,
    LAB_FILE,
    LAB_ID,
    LAB_REL,
    Course,
    GradingOutputs,
    LoopbackListener,
    Result,
    Shared,
    bwrap_works,
    copy_fixture_course,
    expect_exit,
    fill_hostile_submissions,
    impl_path,
    make_open_dir,
    run,
)

_ROOT_KEY = "conclab_e2e_root"
_PORT_KEY = "conclab_e2e_port"
_GROUPS_KEY = "conclab_e2e_loadgroup"
_state: dict = {}  # the scratch root, the listener and its port, for this process


# ------------------------------------------------------------------------------- session: paths, scratch


def _env_path(name: str, what: str) -> Path:
    value = os.environ.get(name)
    if not value:
        raise pytest.UsageError(
            f"{name} is not set: it must be {what}. Run the suite as\n"
            f"  CONCLAB_BIN=<conclab binary> CONCLAB_SRC=<course source root> python3 -m pytest tools/conclab/tests/e2e")
    return Path(value).resolve()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run on one xdist worker with --dist loadgroup")
    if config.option.help or getattr(config.option, "version", False):
        return
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: the controller made the scratch folder and the listener
        _state["root"] = Path(workerinput[_ROOT_KEY])
        _state["port"] = int(workerinput[_PORT_KEY])
        if workerinput.get(_GROUPS_KEY):
            # What xdist's own setup derives from a --dist loadgroup on the command line: workers tag each
            # test with its xdist_group so the controller schedules a group on one worker.
            config.option.loadgroup = True
        return
    binary = _env_path("CONCLAB_BIN", "the conclab binary under test")
    src = _env_path("CONCLAB_SRC", "the course's source root")
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise pytest.UsageError(f"CONCLAB_BIN={binary} is not an executable file.")
    if not (src / "tools/conclab/tests/fixture/labs").is_dir() or not (src / "CMakeLists.txt").is_file():
        raise pytest.UsageError(f"CONCLAB_SRC={src} is not the course's source root (no CMakeLists.txt or "
                                f"tools/conclab/tests/fixture/labs there).")
    # Correctness never depends on scheduling (the locks see to that), but speed does: tests that share a
    # locked resource (xdist_group marks) should run on one worker instead of waiting for each other. So
    # `-n N` alone means --dist loadgroup here; an explicit --dist is left as given.
    if getattr(config.option, "dist", "no") == "load" and not any(
            a == "--dist" or a.startswith("--dist=") or a == "-d" for a in config.invocation_params.args):
        config.option.dist = "loadgroup"
    root = make_open_dir(Path("/tmp"), "conclab-pytest.")
    _state["root"] = root
    _state["listener"] = LoopbackListener(root / "loopback-connections.log")
    _state["port"] = _state["listener"].port


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # xdist, in the controller: what each worker gets
    node.workerinput[_ROOT_KEY] = str(_state["root"])
    node.workerinput[_PORT_KEY] = str(_state["port"])
    node.workerinput[_GROUPS_KEY] = node.config.option.dist == "loadgroup"


def pytest_unconfigure(config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is not None or "root" not in _state:
        return
    _state["listener"].close()
    if os.environ.get("CONCLAB_E2E_KEEP"):
        print(f"\nconclab e2e: scratch kept in {_state['root']}")
    else:
        shutil.rmtree(_state["root"], ignore_errors=True)


@pytest.fixture(scope="session")
def conclab_bin() -> Path:
    """The conclab binary under test ($CONCLAB_BIN)."""
    return _env_path("CONCLAB_BIN", "the conclab binary under test")


@pytest.fixture(scope="session")
def course_src() -> Path:
    """The course's source root ($CONCLAB_SRC): build files, support/, scripts/, the test fixtures."""
    return _env_path("CONCLAB_SRC", "the course's source root")


@pytest.fixture(scope="session")
def scratch_root() -> Path:
    """This run's scratch folder, shared by every worker."""
    return _state["root"]


@pytest.fixture
def scratch(scratch_root: Path, request: pytest.FixtureRequest) -> Path:
    """A new empty folder (0755) for this test alone."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:60]
    return make_open_dir(scratch_root / "tests", name + ".")


@pytest.fixture(scope="session")
def shared(scratch_root: Path):
    """shared(name) -> Shared: something built once per run across workers (see conclab_testlib.Shared)."""
    return lambda name: Shared(scratch_root / "shared", name)


@pytest.fixture
def run_conclab(conclab_bin: Path):
    """run_conclab(*args, cwd=..., timeout=...) -> Result: conclab with NO_COLOR=1, under a timeout."""

    def _run(*args: str, cwd: Path, timeout: float = DEFAULT_TIMEOUT) -> Result:
        return run([conclab_bin, *args], cwd, timeout=timeout)

    return _run


# ----------------------------------------------------------------------------------- learner courses


@pytest.fixture
def course(scratch: Path, conclab_bin: Path, course_src: Path) -> Course:
    """A fresh fixture course of this test's own (a git repository, nothing built, no progress). For
    commands that build nothing: list, next, hint, reset, lint, errors."""
    return Course(copy_fixture_course(course_src, scratch / "course"), conclab_bin, course_src)


@pytest.fixture(scope="session")
def _built_course(shared, conclab_bin: Path, course_src: Path) -> tuple[Shared, Path]:
    item = shared("learner-course")

    def build(path: Path) -> dict:
        c = Course(copy_fixture_course(course_src, path / "course"), conclab_bin, course_src)
        # conclab itself configures the build trees (default and tsan) and builds the starter in both. The
        # reference versions are built by the maint tests that need them (cmake --build, kept afterwards).
        expect_exit(c.run("check", LAB_ID), 1, "setting up the built fixture course: checking the starter")
        return {"root": str(c.root)}

    return item, Path(item.get(build)["root"])


@pytest.fixture
def built_course(_built_course, conclab_bin: Path, course_src: Path):
    """The fixture course whose build trees are configured and built, shared by the whole run (a CMake
    tree cannot be copied elsewhere). The test has it to itself (a lock across workers) and gets it fresh:
    the starter in the lab, no progress, no backups; it is restored again afterwards."""
    item, root = _built_course
    c = Course(root, conclab_bin, course_src)
    with item.locked():
        c.restore()
        yield c
        c.restore()


# ------------------------------------------------------------------------------------------- grading


class GradeEnv:
    """The folders every grading test shares: one course (with [points] and conclab's sources), one
    --work folder (its scratch builds are configured once; `conclab grade` locks it, so each grading
    takes `work_lock` first), one gradebook both the hostile and the class gradings are added to."""

    def __init__(self, root: Path, course: Path, conclab: Path, src: Path, work_lock: Shared):
        self.root = root
        self.course = course
        self.conclab = conclab
        self.src = src
        self.work = root / "work"
        self.gradebook = root / "gradebook.sqlite"
        self._work_lock = work_lock

    def out(self, name: str) -> Path:
        return self.root / f"out-{name}"

    def work_locked(self):
        """Exclusive use of the --work folder across workers (never taken while already held)."""
        return self._work_lock.locked()

    def grade(self, *args: str, timeout: float = GRADE_TIMEOUT) -> Result:
        """`conclab --root COURSE grade --lab 99.01 ARGS --work WORK`, from the grading folder."""
        with self.work_locked():
            return run([self.conclab, "--root", self.course, "grade", "--lab", LAB_ID, *args, "--work", self.work],
                       self.root, timeout=timeout)

    def conclab_cmd(self, *args: str, timeout: float = DEFAULT_TIMEOUT) -> Result:
        return run([self.conclab, "--root", self.course, *args], self.root, timeout=timeout)


@pytest.fixture(scope="session")
def grade_env(shared, scratch_root: Path, conclab_bin: Path, course_src: Path) -> GradeEnv:
    """The grading course, built once: the fixture course plus conclab's sources and scripts/setup.sh,
    lab.toml with [points] (the concurrent test worth 2, 5 points in all). Read-only for the tests."""
    item = shared("grade-course")

    def build(path: Path) -> dict:
        copy_fixture_course(course_src, path, with_tools=True, points=True, git_init=False)
        return {}

    item.get(build)
    root = scratch_root / "grade"
    root.mkdir(exist_ok=True)
    root.chmod(0o755)
    return GradeEnv(root, item.path, conclab_bin, course_src, shared("grade-work"))


@pytest.fixture(scope="session")
def sandboxed() -> bool:
    """Whether bubblewrap works here (`bwrap --ro-bind / / --unshare-all true`)."""
    return bwrap_works()


@pytest.fixture(scope="session")
def loopback_listener() -> dict:
    """The listener on the host's 127.0.0.1 (owned by the controlling pytest process, alive for the whole
    run): its port, and the log where it writes a line per connection it accepted."""
    return {"port": _state["port"], "log": _state["root"] / "loopback-connections.log"}


@pytest.fixture(scope="session")
def hostile_submissions(shared, grade_env: GradeEnv, loopback_listener: dict) -> Path:
    """tests/grade_fixtures with this run's paths and the listener's port filled in, plus `pass` (the
    fixture's correct version) and `symlink` (a symbolic link to the course's final solution)."""
    item = shared("hostile-submissions")

    def build(subs: Path) -> dict:
        fill_hostile_submissions(grade_env.src / "tools/conclab/tests/grade_fixtures", subs, {
            "COURSE": str(grade_env.course), "SUBMISSIONS": str(subs), "WORK": str(grade_env.work),
            "OUT": str(grade_env.out("hostile")), "SRC": str(grade_env.src), "PORT": str(loopback_listener["port"]),
        })
        (subs / "pass").mkdir()
        shutil.copyfile(impl_path(grade_env.src, "pass"), subs / "pass" / LAB_FILE)
        (subs / "symlink").mkdir()
        (subs / "symlink" / LAB_FILE).symlink_to(grade_env.course / "solutions/99-fixture/01-counter/final" / LAB_FILE)
        return {}

    item.get(build)
    return item.path


class Grading:
    """One finished `conclab grade` run: its console (`result`) and its outputs (`outputs`)."""

    def __init__(self, info: dict):
        self.result = Result(info["argv"], Path(info["cwd"]), info["code"], info["output"], info["seconds"])
        self.out = Path(info["out"])

    @property
    def outputs(self) -> GradingOutputs:
        if not (self.out / "grades.csv").is_file() or not (self.out / "junit.xml").is_file():
            pytest.fail(f"the grading wrote no grades.csv or junit.xml in {self.out}; {self.result}", pytrace=False)
        return GradingOutputs(self.out)


def grading(shared, name: str, grade_env: GradeEnv, *args: str) -> Grading:
    """Grades once per run (`Shared`), into grade_env.out(name); the tests read what it wrote."""
    item = shared(f"graded-{name}")

    def build(_: Path) -> dict:
        res = grade_env.grade(*args, "--out", str(grade_env.out(name)))
        return {"argv": res.argv, "cwd": str(res.cwd), "code": res.code, "output": res.output,
                "seconds": res.seconds, "out": str(grade_env.out(name))}

    return Grading(item.get(build))


# Memory per run for the hostile grading: 128 MB, not more, because touching new memory is slow on
# some machines (about 220 MB/s on the course's 2-core VM: 512 MB is 2.3 s of CPU), so with the machine
# busy the memory bomb did not reach 512 MB within the lab's 6 s timeout and got "timeout" instead of
# "resource limit". 128 MB trips the watchdog within about half a second of CPU; the other verdicts do not
# depend on it.
HOSTILE_MEMORY_MB = "128"


@pytest.fixture(scope="session")
def graded_hostile(shared, grade_env: GradeEnv, hostile_submissions: Path) -> Grading:
    """The hostile submissions graded (2 runs per test, no TSan, 128 MB), into the shared gradebook."""
    return grading(shared, "hostile", grade_env, "--submissions", str(hostile_submissions), "--gradebook",
                   str(grade_env.gradebook), "--repeat", "2", "--no-tsan", "--memory", HOSTILE_MEMORY_MB)


@pytest.fixture(scope="session")
def class_submissions(shared, grade_env: GradeEnv) -> Path:
    """A generated class: alice and bob correct (bob's file differs by a comment), carol failing, dave
    racy, erin not compiling, frank submitted nothing, grace hangs, heidi crashes, ivan sent a whole course
    copy with its own tests, judy's file is nested in a course copy inside another folder."""
    item = shared("class-submissions")
    src = grade_env.src

    def build(cls: Path) -> dict:
        def put(learner: str, impl: str, sub: str = "") -> None:
            d = cls / learner / sub
            d.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(impl_path(src, impl), d / LAB_FILE)

        for learner in CLASS_SCORES:
            (cls / learner).mkdir()
        put("alice", "pass")
        (cls / "bob" / LAB_FILE).write_text("// bob's version\n" + impl_path(src, "pass").read_text())
        put("carol", "fail")
        put("dave", "race")
        put("erin", "nocompile")
        # frank submitted nothing: graded with the starter.
        put("grace", "hang")
        put("heidi", "crash")
        shutil.copytree(src / "tools/conclab/tests/grade_fixtures/course-copy", cls / "ivan", dirs_exist_ok=True)
        put("judy", "pass", "conclab-main/" + str(LAB_REL))
        return {}

    item.get(build)
    return item.path


@pytest.fixture(scope="session")
def graded_class(shared, grade_env: GradeEnv, class_submissions: Path) -> Grading:
    """The generated class graded with the defaults (3 runs per test + ThreadSanitizer), into the shared
    gradebook."""
    return grading(shared, "class", grade_env, "--submissions", str(class_submissions), "--gradebook",
                   str(grade_env.gradebook))


@pytest.fixture(scope="session")
def grade_once(shared, grade_env: GradeEnv):
    """grade_once(name, *args) -> Grading: `conclab grade` run once per test run into grade_env.out(name)."""
    return lambda name, *args: grading(shared, name, grade_env, *args)
