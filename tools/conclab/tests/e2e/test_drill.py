"""`conclab drill`: a timed attempt at a drill, through a real terminal (a pty) as a learner runs it, on the drill
fixture lab 99.03 (tests/fixture_drill: the fixture counter tagged "drill", with problem.md and discussion.md).
The clock is fixed with the hidden --clock-seconds so that times and bests can be checked."""

import json
import shutil
from pathlib import Path

import pytest

from conclab_testlib import LAB_FILE, Course, Terminal, copy_fixture_course, expect_exit, expect_in, git, impl_path

pytestmark = pytest.mark.xdist_group("drill-course")

DRILL = "99.03"
DRILL_REL = Path("labs/99-fixture/03-drill-counter")
RUNNING = "The clock is running. Ctrl-C stops the attempt (it is kept as unfinished)."
QUICK = ("--interval", "100", "--debounce", "100")


def drill_course(src: Path, dest: Path) -> Path:
    """The fixture course plus tests/fixture_drill's drill lab, a git repository."""
    root = copy_fixture_course(src, dest, git_init=False)
    for name in ("labs", "solutions", "modules"):
        shutil.copytree(src / "tools/conclab/tests/fixture_drill" / name, root / name, dirs_exist_ok=True)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "fixture with a drill")
    return root


@pytest.fixture(scope="session")
def _drill_built(shared, conclab_bin: Path, course_src: Path):
    item = shared("drill-course")

    def build(path: Path) -> dict:
        c = Course(drill_course(course_src, path / "course"), conclab_bin, course_src)
        expect_exit(c.run("check", DRILL), 1, "setting up the drill course: checking the starter")
        return {"root": str(c.root)}

    return item, Path(item.get(build)["root"])


@pytest.fixture
def drill(_drill_built, conclab_bin: Path, course_src: Path):
    """The drill course, built, fresh for this test (no progress, the starter in place) and to itself."""
    item, root = _drill_built
    c = Course(root, conclab_bin, course_src)
    with item.locked():
        c.restore()
        yield c
        c.restore()


def save(course: Course, impl: str) -> None:
    """The learner saves their file: one of tests/fixture/impls as the drill's counter.hpp."""
    shutil.copyfile(impl_path(course.src, impl), course.root / DRILL_REL / LAB_FILE)


def drill_record(course: Course) -> dict:
    return json.loads((course.state_dir / "state.json").read_text())["drills"][DRILL]


def test_a_drill_shows_the_problem_checks_each_save_and_stops_at_the_first_pass(drill):
    term = Terminal(drill, "drill", DRILL, *QUICK, "--clock-seconds", "125")
    screen = term.read_until(RUNNING)
    for text in ("Drill 99.03: Fixture drill counter", "Write `add(n)` and `value()`", f"Edit {DRILL_REL / LAB_FILE}",
                 "Ctrl-C stops the attempt"):
        assert text in screen, f"{text!r} not on the first screen:\n{screen}"

    save(drill, "fail")
    screen = term.read_until("The clock is still running")
    assert "--- check 1 at" in screen and "Verdict: failed" in screen, screen

    save(drill, "pass")
    code = term.wait()
    out = term.seen
    assert code == 0, f"a passed drill exits 0, not {code}:\n{out}"
    for text in ("--- check 2 at", "Drill 99.03 passed in 2 min 05 s, after 2 checks.", "Your best: 2 min 05 s (new best).",
                 "The reference solutions, discussed", "the fixture discussion an interviewer would hear"):
        assert text in out, f"{text!r} not in the output:\n{out}"

    record = drill_record(drill)
    assert len(record["attempts"]) == 1, record
    attempt = record["attempts"][0]
    assert attempt["passed"] is True and attempt["checks"] == 2 and attempt["seconds"] == 125, attempt
    assert attempt["started"].endswith("Z"), attempt
    state = json.loads((drill.state_dir / "state.json").read_text())
    assert state["labs"][DRILL]["status"] == "passed", "each check is recorded as check and watch record it"

    listing = drill.run("drill", "--list")
    expect_exit(listing, 0)
    row = next((line for line in listing.output.splitlines() if line.strip().startswith(DRILL)), "")
    assert "Fixture drill counter" in row and "2 min 05 s" in row and row.rstrip().endswith("1"), listing
    as_json = drill.run("drill", "--list", "--json")
    expect_exit(as_json, 0)
    drills = json.loads(as_json.output)["drills"]
    assert drills == [{"id": DRILL, "slug": "drill-counter", "title": "Fixture drill counter", "minutes": 20,
                       "best_seconds": 125.0, "attempts": 1, "passed": True}], drills

    # A slower second attempt is not a new best; without an id, a drill that has passed is not picked again.
    expect_in(drill.run("drill"), "You have passed every drill", "no drill left to pass")
    term = Terminal(drill, "drill", DRILL, *QUICK, "--clock-seconds", "300")
    term.read_until(RUNNING)
    save(drill, "pass")  # the same right file, saved again
    code = term.wait()
    assert code == 0, term.seen
    assert "Drill 99.03 passed in 5 min 00 s, after 1 check." in term.seen, term.seen
    assert "Your best: 2 min 05 s." in term.seen, term.seen


def test_ctrl_c_keeps_an_unfinished_attempt_with_its_time(drill):
    term = Terminal(drill, "drill", *QUICK)  # no id: the first drill not yet passed
    screen = term.read_until(RUNNING)
    assert "No drill named: 99.03 (drill-counter) is the first you have not passed." in screen, screen
    term.ctrl_c()
    code = term.wait()
    assert code == 130, f"Ctrl-C exits 130, not {code}:\n{term.seen}"
    assert "kept as an unfinished attempt" in term.seen, term.seen
    attempt = drill_record(drill)["attempts"][0]
    assert attempt["passed"] is False and attempt["checks"] == 0 and attempt["seconds"] >= 0, attempt
    listing = drill.run("drill", "--list", "--json")
    assert json.loads(listing.output)["drills"][0]["best_seconds"] is None, listing


def test_a_pass_without_the_thread_sanitizer_build_a_drill_needs_does_not_count(drill):
    # 99.01 (whose lab asks for ThreadSanitizer) made a drill for this test; restore() puts its lab.toml back.
    toml = drill.lab / "lab.toml"
    toml.write_text(toml.read_text().replace('tags = ["fixture"]', 'tags = ["fixture", "drill"]'))
    term = Terminal(drill, "drill", "99.01", "--no-tsan", *QUICK, "--clock-seconds", "60")
    screen = term.read_until(RUNNING)
    assert "With --no-tsan a pass stops the clock but does not count as a passed attempt" in screen, screen
    assert "Fixture counter" in screen, "a drill without problem.md shows its summary"
    drill.use_impl("pass")
    code = term.wait()
    assert code == 0, term.seen
    assert "Passed without the ThreadSanitizer build (1 min 00 s, 1 check): kept as an unfinished attempt" in term.seen, term.seen
    assert "new best" not in term.seen and "discussed" not in term.seen, term.seen
    attempt = json.loads((drill.state_dir / "state.json").read_text())["drills"]["99.01"]["attempts"][0]
    assert attempt["passed"] is False and attempt["checks"] == 1 and attempt["seconds"] == 60, attempt


def test_bad_input_gets_one_sentence(course):
    res = course.run("drill", "42.42")
    expect_exit(res, 2, "an unknown lab")
    expect_in(res, "42.42", "the id it did not find")
    res = course.run("drill", "99.01")
    expect_exit(res, 2, "a lab that is not a drill")
    expect_in(res, "Lab 99.01 is not a drill: ./conclab drill --list shows the drills.", "the way out")
    res = course.run("drill")
    expect_exit(res, 2, "no drills at all")
    expect_in(res, "This course has no drills yet", "what is missing")
    res = course.run("drill", "--json")
    expect_exit(res, 2, "--json alone")
    expect_in(res, "--json goes with --list", "the way out")
    res = course.run("drill", "--list")
    expect_exit(res, 0)
    expect_in(res, "This course has no drills yet", "an empty list says so")
    for res in (course.run("drill", "99.01"), course.run("drill")):
        assert "Traceback" not in res.output and "terminate" not in res.output, res
