"""`conclab explore`, and the sim tree in `check` and `maint verify`: the fixture course plus tests/fixture_sim's
lab 99.02 (a counter two threads add to, with one CONCLAB_SIM_TEST), built once for every test here."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conclab_testlib import Course, copy_fixture_course, expect_exit, expect_in, expect_not_in, git

pytestmark = pytest.mark.xdist_group("sim-course")

SIM_LAB = "99.02"
SIM_REL = "labs/99-fixture/02-sim-counter"
SIM_FILE = "sim_counter.hpp"
SIM_TEST = "SimCounterTest.TwoThreadsAddTwo"


def _sim_course(src: Path, dest: Path) -> Path:
    root = copy_fixture_course(src, dest, git_init=False)
    fixture = src / "tools/conclab/tests/fixture_sim"
    for name in ("labs", "solutions", "modules"):
        shutil.copytree(fixture / name, root / name, dirs_exist_ok=True)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "fixture with a sim lab")
    return root


@pytest.fixture(scope="session")
def _sim_built(shared, conclab_bin: Path, course_src: Path):
    item = shared("sim-course")

    def build(path: Path) -> dict:
        c = Course(_sim_course(course_src, path / "course"), conclab_bin, course_src)
        expect_exit(c.run("explore", SIM_LAB, "--against", "final"), 0, "setting up the sim course: exploring final")
        return {"root": str(c.root)}

    return item, Path(item.get(build)["root"])


@pytest.fixture
def sim_course(_sim_built, conclab_bin: Path, course_src: Path):
    item, root = _sim_built
    c = Course(root, conclab_bin, course_src)
    with item.locked():
        c.restore()
        yield c
        c.restore()


def _use(c: Course, variant: str) -> None:
    shutil.copyfile(c.root / "solutions/99-fixture/02-sim-counter" / variant / SIM_FILE, c.root / SIM_REL / SIM_FILE)


def test_explore_prints_the_failing_schedule_of_the_naive_version(sim_course):
    res = sim_course.run("explore", SIM_LAB, "--against", "naive")
    expect_exit(res, 1, "a lost update must be found")
    expect_in(res, "failed on schedule", "the explorer's verdict")
    expect_in(res, "an add was lost", "the test's own message")
    expect_in(res, "load -> 0", "the schedule's steps, with the values read")
    expect_in(res, f"{SIM_FILE}:", "each step names its line in the lab's file")
    expect_in(res, "--replay '", "how to replay it")


def test_explore_of_a_correct_version_says_what_it_explored(sim_course):
    res = sim_course.run("explore", SIM_LAB, "--against", "improved")
    expect_exit(res, 0)
    expect_in(res, "all pass", "the summary")
    expect_in(res, "at most 2 preemptions", "the bound it used")
    res = sim_course.run("explore", SIM_LAB, "--against", "final", "--preemptions", "0")
    expect_exit(res, 0)
    expect_in(res, "at most 0 preemptions", "--preemptions is passed on")


def test_a_replay_string_gives_the_same_schedule_again(sim_course):
    first = sim_course.run("explore", SIM_LAB, "--against", "naive")
    m = re.search(r"--replay '([^']+)'", first.output)
    assert m, f"no replay string in {first}"
    again = sim_course.run("explore", SIM_LAB, "TwoThreadsAddTwo", "--against", "naive", "--replay", m.group(1))
    expect_exit(again, 1)
    steps = lambda out: [l.strip() for l in out.splitlines() if re.match(r"\s+\d+\. T\d", l)]
    assert steps(first.output) and steps(first.output) == steps(again.output), f"{first}\n---\n{again}"


def test_a_malformed_replay_string_is_one_sentence(sim_course):
    res = sim_course.run("explore", SIM_LAB, "TwoThreadsAddTwo", "--replay", "1s1:a.b")
    expect_exit(res, 2)
    expect_in(res, "is not a replay string", "what is wrong")
    expect_not_in(res, "stoi", "no exception text")


def test_random_mode_finds_it_too(sim_course):
    res = sim_course.run("explore", SIM_LAB, "--against", "naive", "--random", "300", "--seed", "7")
    expect_exit(res, 1)
    expect_in(res, "failed on schedule", "random schedules find the lost update")


def test_the_learners_use_of_std_atomic_is_named_with_its_line(sim_course):
    _use(sim_course, "wrong/std-atomic")
    res = sim_course.run("explore", SIM_LAB)
    expect_exit(res, 1)
    expect_in(res, f"{SIM_REL}/{SIM_FILE}:", "the file and line")
    expect_in(res, "use conclab::sync::atomic", "what to write instead")
    check = sim_course.run("check", SIM_LAB)
    expect_exit(check, 1)
    expect_in(check, "SimCheck.UsesConclabSync", "check says it too")


def test_check_runs_the_sim_tests_of_a_sim_lab(sim_course):
    _use(sim_course, "final")
    res = sim_course.run("check", SIM_LAB, "--verbose")
    expect_exit(res, 0)
    expect_in(res, "sim (every schedule)", "the sim run is part of the verdict")
    _use(sim_course, "naive")
    res = sim_course.run("check", SIM_LAB)
    expect_exit(res, 1)
    expect_in(res, "failed on schedule", "the explorer's report is the failure message")


def test_explore_refuses_a_lab_without_sim_tests_in_one_sentence(sim_course):
    res = sim_course.run("explore", "99.01")
    expect_exit(res, 2)
    expect_in(res, "has no sim tests", "why")
    expect_in(res, SIM_LAB, "which labs have them")
    expect_not_in(res, "terminate", "no stack trace")


def test_maint_verify_holds_the_sim_claims(sim_course):
    root = sim_course.root
    targets = ["lab_99_02_naive", "lab_99_02_improved", "lab_99_02_final", "lab_99_02_wrong_std_atomic"]
    subprocess.run(["cmake", "--build", str(root / "build/sim"), "--target", *targets], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for variant, says in (("naive", f"fails exactly {SIM_TEST}"), ("final", "graded tests pass"),
                          ("wrong/std-atomic", "fails exactly SimCheck.UsesConclabSync")):
        res = sim_course.run("maint", "verify", SIM_LAB, "--variant", variant, "--build-dir", "build/sim")
        expect_exit(res, 0, f"verify {variant} in the sim tree")
        expect_in(res, says, variant)
        expect_in(res, "(sim build)", "the tree is named")


def test_grade_runs_the_sim_tests_of_a_sim_lab(sim_course, scratch):
    subs, out = scratch / "sim-subs", scratch / "sim-grades"
    for who, variant in (("alice", "final"), ("bob", "wrong/std-atomic"), ("carol", "naive")):
        (subs / who).mkdir(parents=True)
        shutil.copyfile(sim_course.root / "solutions/99-fixture/02-sim-counter" / variant / SIM_FILE, subs / who / SIM_FILE)
    res = sim_course.run("grade", "--lab", SIM_LAB, "--submissions", str(subs), "--out", str(out), "--sandbox", "none",
                         "--no-gradebook", "--repeat", "1", "--work", str(scratch / "sim-work"), timeout=600)
    expect_exit(res, 0, "grading a sim lab")

    def sim_test_of(who: str) -> dict:
        results = json.loads((out / who / "results.json").read_text())
        assert results["extra_data"]["sim"] is True, results
        return next(t for t in results["tests"] if t["name"] == SIM_TEST)

    alice = sim_test_of("alice")
    assert alice["status"] == "passed" and alice["extra_data"]["sim"] == "every schedule passed", alice
    carol = sim_test_of("carol")
    assert carol["status"] == "failed", carol
    assert "The explorer" in carol["output"] and "failed on schedule" in carol["output"], carol["output"]
    bob = sim_test_of("bob")
    assert bob["status"] == "failed", f"std::atomic cannot be explored: the sim build must refuse it. {bob}"
