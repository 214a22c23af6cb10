"""Bad input and damaged state: one clear sentence and exit 2, or a warning and a fresh start."""

from conclab_testlib import LAB_ID, expect_exit, expect_in, expect_not_in

DAMAGED_STATE = '{"labs": {"99.01": '


def test_unknown_lab_is_one_clear_sentence_with_exit_2(course):
    res = course.run("check", "42.42")
    expect_exit(res, 2)
    expect_in(res, "There is no lab '42.42'", "unknown lab message")
    assert len(res.output.splitlines()) <= 2, f"the unknown-lab message should be one sentence; {res}"


def test_solution_of_an_unknown_lab_exits_2(course):
    res = course.run("solution", "nope", "--force")
    expect_exit(res, 2)
    expect_in(res, "There is no lab", "unknown lab for solution")


def test_check_against_an_unknown_reference_version_exits_2(course):
    res = course.run("check", LAB_ID, "--against", "best")
    expect_exit(res, 2)
    expect_in(res, "no reference version 'best'", "bad --against")


def test_unknown_command_points_to_help(course):
    res = course.run("frobnicate")
    expect_exit(res, 2)
    expect_in(res, "conclab --help", "unknown command points to help")


def test_outside_a_course_says_there_is_none_with_exit_2(run_conclab, scratch):
    res = run_conclab("list", cwd=scratch)
    expect_exit(res, 2)
    expect_in(res, "No conclab course here", "outside a course")


def _damage_state(course):
    course.state_dir.mkdir(exist_ok=True)
    (course.state_dir / "state.json").write_text(DAMAGED_STATE)


def test_damaged_progress_file_is_set_aside_with_a_warning(course):
    _damage_state(course)
    res = course.run("list")
    expect_exit(res, 0, "a damaged state file is not fatal")
    expect_in(res, "was damaged", "damaged-state warning")
    kept = list(course.state_dir.glob("state.json.damaged-*"))
    assert kept, f"the damaged file was not kept aside as .conclab/state.json.damaged-*; {res}"
    assert kept[0].read_text() == DAMAGED_STATE, f"{kept[0]} does not hold the damaged file's content"


def test_damage_warning_is_not_repeated_once_a_fresh_state_is_written(course):
    _damage_state(course)
    expect_exit(course.run("list"), 0, "the first list after the damage")
    res = course.run("list")
    expect_exit(res, 0)
    expect_not_in(res, "damaged", "the warning repeats after a fresh state was written")
