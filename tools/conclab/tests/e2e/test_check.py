"""`conclab check`: one test per verdict, each produced by a real implementation from tests/fixture/impls
(pass, fail, data race, hang, crash, does not compile), on the shared built course."""

import json
import time

import pytest

from conclab_testlib import CONCURRENT_TEST, LAB_ID, expect_exit, expect_in

pytestmark = pytest.mark.xdist_group("learner-course")


def test_starter_fails_with_the_tests_teaching_message(built_course):
    res = built_course.run("check", LAB_ID)
    expect_exit(res, 1, "the starter must not pass")
    expect_in(res, "Verdict: failed", "starter verdict")
    expect_in(res, "add(2) then add(3) must give 5", "the test's teaching message is shown")


def test_code_that_does_not_compile_exits_3_with_the_first_error_in_the_learners_file(built_course):
    built_course.use_impl("nocompile")
    res = built_course.run("check", LAB_ID)
    expect_exit(res, 3)
    expect_in(res, "Verdict: does not compile", "compile verdict")
    expect_in(res, "counter.hpp", "the first error names the file")


def test_failed_assertion_is_reported_with_its_message(built_course):
    built_course.use_impl("fail")
    res = built_course.run("check", LAB_ID, "--no-tsan")
    expect_exit(res, 1)
    expect_in(res, "Verdict: failed", "fail verdict")
    expect_in(res, "must give 5", "the assertion's message")


def test_data_race_is_pinned_on_the_racing_test_and_the_learners_line(built_course):
    built_course.use_impl("race")
    res = built_course.run("check", LAB_ID)
    expect_exit(res, 1)
    expect_in(res, "Verdict: data race", "race verdict")
    expect_in(res, CONCURRENT_TEST, "the racing test is named")
    expect_in(res, "counter.hpp:", "the race report points into the learner's file")


def test_hang_is_named_with_the_stacks_of_the_waiting_thread(built_course):
    built_course.use_impl("hang")
    start = time.monotonic()
    res = built_course.run("check", LAB_ID, "--verbose")
    elapsed = time.monotonic() - start
    expect_exit(res, 1)
    expect_in(res, "Verdict: deadlock or hang", "hang verdict")
    expect_in(res, f"{CONCURRENT_TEST}  hang", "the hung test is named")
    expect_in(res, "ok CounterTest.AddsAfterConcurrentAdds", "the tests after the hung one still ran, alone")
    expect_in(res, "waiting on a condition variable", "the stacks say where the thread waited")
    # Build + one timeout (6 s) + stacks + the rest run alone: a generous bound, far below "forever".
    assert elapsed < 240, f"the hang verdict took {elapsed:.0f}s, expected under 240s; {res}"


def test_crash_is_attributed_to_its_test_with_the_signal(built_course):
    built_course.use_impl("crash")
    res = built_course.run("check", LAB_ID, "--no-tsan")
    expect_exit(res, 1)
    expect_in(res, "Verdict: crash", "crash verdict")
    expect_in(res, f"{CONCURRENT_TEST}  crash", "the crashing test is named")
    expect_in(res, "SIGABRT", "the signal is named")


def test_crash_json_names_the_crashing_test_and_passes_the_others_run_alone(built_course):
    built_course.use_impl("crash")
    res = built_course.run("check", LAB_ID, "--no-tsan", "--json")
    expect_exit(res, 1)
    d = json.loads(res.output)
    tests = {t["name"]: t["outcome"] for t in d["builds"][0]["tests"]}
    assert d["verdict"] == "crash", f"check --json after a crash: verdict {d['verdict']!r}, expected 'crash'; {res}"
    assert tests[CONCURRENT_TEST] == "crash", f"the crashing test's outcome: {tests}; {res}"
    assert tests["CounterTest.AddsAfterConcurrentAdds"] == "passed", \
        f"the test after the crash, run alone, must pass: {tests}; {res}"


def test_a_pass_without_threadsanitizer_does_not_finish_a_lab_that_uses_it(built_course):
    built_course.use_impl("race")  # racy, but it passes its assertions: only the TSan build catches it
    res = built_course.run("check", LAB_ID, "--no-tsan")
    expect_exit(res, 0, "the normal build's tests pass")
    expect_in(res, "Passed without the ThreadSanitizer build", "the learner is told the lab is not done yet")
    assert "Lab 99.01 is done" not in res.output, f"a --no-tsan pass must not finish the lab:\n{res.output}"
    status = json.loads(built_course.run("list", "--json").output)["labs"][0]["status"]
    assert status == "in progress", f"a --no-tsan pass leaves the lab in progress, got {status!r}"
    expect_exit(built_course.run("solution", LAB_ID), 2, "the solutions stay closed")


def test_correct_version_passes_and_the_lab_is_done(built_course):
    built_course.use_impl("pass")
    res = built_course.run("check", LAB_ID)
    expect_exit(res, 0)
    expect_in(res, "Verdict: passed", "pass verdict")
    expect_in(res, "Lab 99.01 is done", "the done message")
