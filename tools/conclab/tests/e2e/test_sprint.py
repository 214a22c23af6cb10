"""`conclab sprint` and `conclab sprint status`: the plan written from the labs' tags and minutes, where it stands
on a given day (CONCLAB_TODAY), its markdown, bad input, and the confirmation before replacing a plan (through a
pty). The course: the fixture course with 99.01 tagged "interview", plus the drill fixture lab 99.03. Nothing is
built."""

import json
import shutil
from pathlib import Path

import pytest

from conclab_testlib import Course, Result, Terminal, expect_exit, expect_in, expect_not_in, run
from test_drill import drill_course

START = "2026-12-01"


@pytest.fixture
def plan_course(scratch: Path, conclab_bin: Path, course_src: Path) -> Course:
    root = drill_course(course_src, scratch / "course")
    toml = root / "labs/99-fixture/01-counter/lab.toml"
    toml.write_text(toml.read_text().replace('tags = ["fixture"]', 'tags = ["fixture", "interview"]'))
    return Course(root, conclab_bin, course_src)


def sprint(course: Course, *args: str, today: str = START) -> Result:
    return run([course.conclab, "sprint", *args], course.root, env={"CONCLAB_TODAY": today})


def plan_of(course: Course) -> dict:
    return json.loads((course.state_dir / "sprint.json").read_text())


def test_sprint_writes_the_plan_as_json_and_markdown(plan_course):
    res = sprint(plan_course, "--hours-per-day", "0.5")
    expect_exit(res, 0)
    expect_in(res, "A 7-day sprint, 2026-12-01 to 2026-12-07, up to 0.5 h a day:", "the summary")
    expect_in(res, "2 lessons, 1 lab, 1 drill and 4 quiz rounds.", "what it holds")
    expect_in(res, ".conclab/sprint.md", "where the plan is")
    plan = plan_of(plan_course)
    assert plan["start"] == START and plan["days"] == 7 and plan["hours_per_day"] == 0.5 and plan["left_out"] == [], plan
    days = [[(i["kind"], i["lab"]) for i in d["items"]] for d in plan["schedule"]]
    # 30 minutes a day: each lesson and lab on its own day after the quiz's 15 minutes; the drill after its lesson.
    assert days == [[("lesson", "99.01"), ("quiz", "")], [("lab", "99.01"), ("quiz", "")], [("lesson", "99.03")],
                    [("drill", "99.03"), ("quiz", "")], [], [], [("quiz", "")]], days
    assert plan["schedule"][3]["items"][0]["command"] == "./conclab drill 99.03", plan["schedule"][3]
    md = (plan_course.state_dir / "sprint.md").read_text()
    for text in ("# Sprint plan: 7 days from 2026-12-01 to 2026-12-07", "## Day 2: 2026-12-02",
                 "| lab 99.01 Fixture counter | 5 | `./conclab check 99.01` |", "| drill 99.03 Fixture drill counter | 20 |",
                 "| quiz round | 15 | `./conclab quiz --count 10` |", "## Day 5: 2026-12-05 (0 min)\n\nA free day"):
        assert text in md, f"{text!r} not in sprint.md:\n{md}"

    res = sprint(plan_course, "--days", "14", "--replace", "--markdown")
    expect_exit(res, 0)
    expect_in(res, "# Sprint plan: 14 days from 2026-12-01 to 2026-12-14", "--markdown prints the markdown")
    assert res.output.strip() == (plan_course.state_dir / "sprint.md").read_text().strip(), res
    assert plan_of(plan_course)["days"] == 14


def test_status_shows_today_what_is_behind_and_what_to_run_next(plan_course):
    res = sprint(plan_course, "status")
    expect_exit(res, 2, "no plan yet")
    expect_in(res, "No sprint plan yet: run ./conclab sprint --days 7.", "the way out")
    expect_exit(sprint(plan_course, "--hours-per-day", "0.5"), 0)

    res = sprint(plan_course, "status")
    expect_exit(res, 0)
    expect_in(res, "Sprint day 1 of 7 (2026-12-01).", "day 1")
    expect_in(res, "[ ] lesson modules/99-fixture/01-counting.md", "today's lesson")
    expect_not_in(res, "Behind", "nothing is behind on day 1")
    expect_in(res, "Next: lesson modules/99-fixture/01-counting.md  read modules/99-fixture/01-counting.md", "what to do")

    res = sprint(plan_course, "status", today="2026-12-04")
    expect_exit(res, 0)
    expect_in(res, "Sprint day 4 of 7 (2026-12-04).", "day 4")
    expect_in(res, "[ ] drill 99.03 Fixture drill counter", "today's drill")
    behind = res.output.split("Behind (from earlier days):")[1]
    for text in ("lesson modules/99-fixture/01-counting.md", "lab 99.01 Fixture counter  5 min  ./conclab check 99.01",
                 "lesson modules/99-fixture/03-drilling.md"):
        assert text in behind, f"{text!r} not behind:\n{res}"
    expect_in(res, "Next: lesson modules/99-fixture/01-counting.md", "the oldest first")

    # The learner passes 99.01 and attempts the drill: those are ticked, and no longer behind.
    state = {"format_version": 1,
             "labs": {"99.01": {"status": "passed", "attempts": 2, "hints_shown": 0, "first_check": "", "passed_at": ""}},
             "drills": {"99.03": {"attempts": [{"started": "2026-12-04T10:00:00Z", "seconds": 600, "checks": 3, "passed": True}]}}}
    (plan_course.state_dir / "state.json").write_text(json.dumps(state))
    res = sprint(plan_course, "status", today="2026-12-04")
    expect_exit(res, 0)
    expect_in(res, "[x] drill 99.03 Fixture drill counter", "a drill with a passed attempt is done")
    expect_not_in(res, "Behind", "everything earlier is done")
    expect_in(res, "Next: quiz round  ./conclab quiz --count 10", "only today's quiz round is left")

    res = sprint(plan_course, "status", today="2026-11-30")
    expect_exit(res, 0)
    expect_in(res, "Your sprint starts on 2026-12-01 (1 day from now).", "a plan that has not started")
    res = sprint(plan_course, "status", today="2026-12-20")
    expect_exit(res, 0)
    expect_in(res, "Your sprint plan ended on 2026-12-07 (7 days from 2026-12-01). You did all of it.", "a plan that is over")
    expect_in(res, "./conclab sprint --replace --days 7", "how to start another")


def test_what_does_not_fit_is_named_with_the_options_that_fit_it(plan_course):
    drill = plan_course.root / "labs/99-fixture/03-drill-counter"
    for n in range(4, 12):  # eight more drills, copies of 99.03
        copy = drill.parent / f"{n:02d}-drill-copy-{n}"
        shutil.copytree(drill, copy)
        toml = copy / "lab.toml"
        toml.write_text(toml.read_text().replace('id = "99.03"', f'id = "99.{n:02d}"'))
    res = sprint(plan_course, "--hours-per-day", "0.5")
    expect_exit(res, 0, "a plan that does not fit is still written")
    expect_in(res, "Left out: ", "what did not fit")
    expect_in(res, "did not fit: 99.01, 99.09, 99.10, 99.11.", "the lab gives way to the drills first, then the drills that still do not fit are named by id")
    expect_in(res, "To fit everything: ./conclab sprint --replace --days 7 --hours-per-day 1, or --days 14.", "the options")
    plan = plan_of(plan_course)
    assert [i["lab"] for i in plan["left_out"]] == ["99.01", "99.01", "99.09", "99.10", "99.11"], plan["left_out"]
    assert [i["kind"] for i in plan["left_out"]] == ["lesson", "lab", "drill", "drill", "drill"], "the lab and its lesson first"
    expect_in((plan_course.state_dir / "sprint.md").read_text(), "## Left out", "the markdown says it too")


def test_bad_input_gets_one_sentence(plan_course):
    for args, text in ((("--days", "10"), "A sprint is 7 or 14 days, not 10: use --days 7 or --days 14."),
                       (("--hours-per-day", "0.25"), "--hours-per-day must be between 0.5 and 12; 0.25 is not."),
                       (("--hours-per-day", "13"), "--hours-per-day must be between 0.5 and 12; 13 is not.")):
        res = sprint(plan_course, *args)
        expect_exit(res, 2, " ".join(args))
        expect_in(res, text, "the sentence")
    assert not (plan_course.state_dir / "sprint.json").exists(), "a refused plan writes nothing"
    res = sprint(plan_course, today="next tuesday")
    assert res.code != 0 and "CONCLAB_TODAY" in res.output and "Traceback" not in res.output, res

    expect_exit(sprint(plan_course), 0)
    res = sprint(plan_course, "--days", "14")
    expect_exit(res, 2, "a plan exists and there is no terminal to ask on")
    expect_in(res, "You already have a sprint plan (7 days from 2026-12-01): add --replace", "the way out")
    assert plan_of(plan_course)["days"] == 7, "the plan is kept"

    (plan_course.state_dir / "sprint.json").write_text("{ not json")
    res = sprint(plan_course, "status")
    expect_exit(res, 2, "a damaged plan")
    expect_in(res, "run ./conclab sprint --replace for a new one", "the way out")


def test_replacing_a_plan_asks_first_on_a_terminal(plan_course):
    expect_exit(sprint(plan_course), 0)
    env = {"CONCLAB_TODAY": "2026-12-02"}
    term = Terminal(plan_course, "sprint", "--days", "14", env=env)
    term.read_until("You already have a sprint plan (7 days from 2026-12-01). Replace it? [y/N]")
    term.type("n")
    assert term.wait() == 0, term.seen
    assert "Kept the plan you have" in term.seen, term.seen
    assert plan_of(plan_course)["days"] == 7 and plan_of(plan_course)["start"] == START

    term = Terminal(plan_course, "sprint", "--days", "14", env=env)
    term.read_until("Replace it? [y/N]")
    term.type("y")
    assert term.wait() == 0, term.seen
    assert "A 14-day sprint, 2026-12-02 to 2026-12-15" in term.seen, term.seen
    assert plan_of(plan_course)["days"] == 14 and plan_of(plan_course)["start"] == "2026-12-02"
