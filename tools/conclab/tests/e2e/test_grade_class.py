"""`conclab grade` on a generated class (correct, racy, failing, not compiling, missing, hanging, crashing,
a course copy, a nested folder) with the defaults: 3 runs per test and ThreadSanitizer; points from
lab.toml's [points]."""

import pytest

from conclab_testlib import CLASS_SCORES, CONCURRENT_TEST as M, expect_exit

pytestmark = pytest.mark.xdist_group("grade-work")


def test_grader_finishes_the_class_with_exit_0(graded_class):
    expect_exit(graded_class.result, 0, "grading the generated class")


def test_every_output_is_written_and_consistent(graded_class):
    problems = graded_class.outputs.structural_problems()
    assert not problems, "the outputs of the class grading are not as expected:\n" + "\n".join(problems)


@pytest.mark.parametrize("learner, points", sorted(CLASS_SCORES.items()))
def test_learner_gets_the_expected_score_and_csv_column(graded_class, learner, points):
    o = graded_class.outputs
    assert o.score(learner) == points, f"{learner}: score {o.score(learner)}, expected {points}. {o.describe(learner)}"
    want = 2 if points == 5 else 0
    assert int(o.csv_rows[learner][M]) == want, \
        f"{learner}: CSV column {M} is {o.csv_rows[learner][M]}, expected {want}: {o.csv_rows[learner]}"


def test_race_is_caught_by_threadsanitizer_whatever_the_normal_runs_saw(graded_class):
    dm = graded_class.outputs.test("dave", M)["extra_data"]
    assert dm["tsan"] == "data race" or dm["verdict"] == "failed", f"dave: {dm}"


def test_racy_test_runs_three_times(graded_class):
    dm = graded_class.outputs.test("dave", M)["extra_data"]
    assert dm["runs"] == 3, f"dave: expected 3 runs of the racy test: {dm}"


def test_hang_is_a_timeout_and_abort_is_a_crash(graded_class):
    o = graded_class.outputs
    assert o.verdicts("grace")[M] == "timeout", f"grace hangs: {o.verdicts('grace')}"
    assert o.verdicts("heidi")[M] == "crash", f"heidi crashes: {o.verdicts('heidi')}"


def test_compile_error_is_in_the_output(graded_class):
    o = graded_class.outputs
    erin = o.r("erin")
    assert erin["extra_data"]["verdict"] == "does not compile" and "error" in erin["output"], \
        f"erin: the verdict and the compiler error in the output. {o.describe('erin')}"


def test_missing_file_is_graded_as_the_starter_and_noted(graded_class):
    o = graded_class.outputs
    assert "not in the submission" in o.r("frank")["output"], \
        f"frank: the note should say the starter was graded. {o.describe('frank')}"


def test_file_nested_in_a_course_copy_in_a_folder_is_found(graded_class):
    o = graded_class.outputs
    assert "taken from" in o.r("judy")["output"], \
        f"judy: the file should be found inside her nested folder. {o.describe('judy')}"


def test_every_test_of_a_correct_submission_has_three_runs_and_a_clean_tsan_run(graded_class):
    tests = graded_class.outputs.r("alice")["tests"]
    bad = [t["extra_data"] for t in tests if t["extra_data"]["runs"] != 3 or t["extra_data"]["tsan"] != "clean"]
    assert not bad, f"alice: expected 3 runs and a clean TSan run per test: {bad}"


def test_junit_has_the_race_as_an_error(graded_class):
    o = graded_class.outputs
    races = [e for e in o.junit.iter("error") if e.get("type") == "data race"]
    assert races or o.verdicts("dave")[M] == "failed", \
        f"JUnit should have the race as an <error type='data race'> (dave: {o.verdicts('dave')})"
