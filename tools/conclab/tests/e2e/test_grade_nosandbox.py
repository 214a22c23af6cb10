"""`conclab grade --sandbox none`: limits only, said so on the console and in every result, and the verdicts
(a forged report, an #include of the solution, a crash) still hold."""

import shutil

import pytest

from conclab_testlib import CONCURRENT_TEST as M, expect_exit, expect_in

pytestmark = pytest.mark.xdist_group("grade-work")


@pytest.fixture(scope="module")
def graded_nobox(shared, hostile_submissions, grade_once):
    item = shared("nobox-submissions")

    def build(subs):
        for s in ("pass", "include-solutions", "forge-report", "segfault"):
            shutil.copytree(hostile_submissions / s, subs / s, symlinks=True)

    item.get(build)
    return grade_once("nobox", "--submissions", str(item.path), "--no-gradebook", "--sandbox", "none",
                      "--repeat", "1", "--no-tsan")


def test_console_says_there_is_no_sandbox(graded_nobox):
    expect_exit(graded_nobox.result, 0, "grading without a sandbox")
    expect_in(graded_nobox.result, "NO sandbox", "the console says there is no sandbox")


def test_every_output_is_written_and_consistent(graded_nobox):
    problems = graded_nobox.outputs.structural_problems()
    assert not problems, "the outputs of the grading without a sandbox are not as expected:\n" + "\n".join(problems)


def test_correct_submission_gets_every_point(graded_nobox):
    o = graded_nobox.outputs
    assert o.score("pass") == 5, f"pass: score {o.score('pass')}, expected 5. {o.describe('pass')}"


def test_include_of_the_solution_is_refused_without_a_sandbox_too(graded_nobox):
    o = graded_nobox.outputs
    assert all(v == "does not compile" for v in o.verdicts("include-solutions").values()), \
        f"include-solutions: every test must be 'does not compile': {o.verdicts('include-solutions')}"
    assert "outside the lab" in o.r("include-solutions")["tests"][0]["output"], \
        f"include-solutions: the refusal should say why. {o.describe('include-solutions')}"


def test_forged_report_scores_zero_without_a_sandbox_too(graded_nobox):
    o = graded_nobox.outputs
    assert o.score("forge-report") == 0, f"forge-report: score {o.score('forge-report')}, expected 0"


def test_segfault_is_a_crash(graded_nobox):
    o = graded_nobox.outputs
    assert o.verdicts("segfault")[M] == "crash", f"segfault: {o.verdicts('segfault')}"


def test_results_json_records_the_missing_sandbox(graded_nobox):
    o = graded_nobox.outputs
    assert "NO sandbox" in o.r("pass")["extra_data"]["sandbox"], \
        f"results.json should record the missing sandbox. {o.describe('pass')}"
