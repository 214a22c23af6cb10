"""`conclab grade` on hostile submissions (tests/grade_fixtures): each gets its verdict, the grader finishes,
every output is written, and (with bubblewrap) nothing gets out of the sandbox."""

import os
from pathlib import Path

import pytest

from conclab_testlib import CONCURRENT_TEST as M, expect_exit

pytestmark = pytest.mark.xdist_group("grade-work")

NEEDS_BWRAP = "bubblewrap does not work here (bwrap --ro-bind / / --unshare-all true failed): no isolation to check"


def test_grader_finishes_the_hostile_class_with_exit_0_within_15_minutes(graded_hostile):
    expect_exit(graded_hostile.result, 0, "grading the hostile submissions")
    assert graded_hostile.result.seconds < 900, \
        f"grading the hostile submissions took {graded_hostile.result.seconds:.0f}s, expected under 900s"


def test_every_output_is_written_and_consistent(graded_hostile):
    problems = graded_hostile.outputs.structural_problems()
    assert not problems, "the outputs of the hostile grading are not as expected:\n" + "\n".join(problems)


def _by_learner(*cases):
    """Parameters named by their learner (the first value): test_x[memory-bomb]."""
    return [pytest.param(*case, id=case[0]) for case in cases]


@pytest.mark.parametrize("learner, points, verdict", _by_learner(
    ("deadlock", 3, "timeout"),
    ("infinite-loop", 3, "timeout"),
    ("segfault", 3, "crash"),
    ("thread-bomb", 3, "resource limit"),
    ("memory-bomb", 3, "resource limit"),
    ("output-flood", 3, "resource limit"),
    ("pass", 5, "passed"),
))
def test_submission_breaking_the_concurrent_test_loses_only_its_points(graded_hostile, learner, points, verdict):
    o = graded_hostile.outputs
    assert o.score(learner) == points, f"{learner}: score {o.score(learner)}, expected {points}. {o.describe(learner)}"
    assert o.verdicts(learner)[M] == verdict, \
        f"{learner}: {M} is {o.verdicts(learner)[M]!r}, expected {verdict!r}. {o.describe(learner)}"
    others = {n: v for n, v in o.verdicts(learner).items() if n != M}
    assert all(v == "passed" for v in others.values()), f"{learner}: the other tests should pass: {others}"


@pytest.mark.parametrize("learner, words, what", _by_learner(
    ("deadlock", "waiting", "the message says the threads were waiting"),
    ("infinite-loop", "kept using CPU", "the message says it kept running"),
    ("segfault", "SIGSEGV", "the signal is named"),
    ("memory-bomb", "memory", "the message names memory"),
    ("output-flood", "output", "the message names the output"),
))
def test_message_of_the_broken_test_says_what_happened(graded_hostile, learner, words, what):
    o = graded_hostile.outputs
    # The concurrent test is the third in the file.
    test = o.r(learner)["tests"][2]
    assert test["name"] == M, f"{learner}: expected the third test to be {M}, got {test['name']}"
    assert words in test["output"], f"{learner}: {what}: expected {words!r} in {test['output']!r}"


def test_forged_report_scores_zero_and_is_never_confirmed(graded_hostile):
    o = graded_hostile.outputs
    assert o.score("forge-report") == 0, f"forge-report: score {o.score('forge-report')}, expected 0"
    assert all(v == "failed" for v in o.verdicts("forge-report").values()), \
        f"forge-report: every test must fail: {o.verdicts('forge-report')}"
    assert "never confirmed" in o.r("forge-report")["tests"][0]["output"], \
        f"forge-report: the message should say the report is not trusted. {o.describe('forge-report')}"


def test_include_of_the_solution_does_not_compile(graded_hostile):
    o = graded_hostile.outputs
    assert o.score("include-solutions") == 0, f"include-solutions: score {o.score('include-solutions')}, expected 0"
    assert all(v == "does not compile" for v in o.verdicts("include-solutions").values()), \
        f"include-solutions: every test must be 'does not compile': {o.verdicts('include-solutions')}"


def test_course_copy_has_only_its_counter_hpp_graded(graded_hostile):
    o = graded_hostile.outputs
    assert o.score("course-copy") == 1 and o.verdicts("course-copy")["CounterTest.StartsAtZero"] == "passed", \
        f"course-copy: only counter.hpp graded (1 point). {o.describe('course-copy')}"


def test_symbolic_link_to_the_solution_is_ignored_and_the_starter_graded(graded_hostile):
    o = graded_hostile.outputs
    assert o.score("symlink") == 1 and "symbolic link" in o.r("symlink")["output"], \
        f"symlink: the link is ignored (and said so), the starter graded (1 point). {o.describe('symlink')}"


@pytest.mark.parametrize("learner", ["network", "read-outside", "write-outside"])
def test_escape_attempt_fails_every_test_in_the_sandbox(graded_hostile, sandboxed, learner):
    if not sandboxed:
        pytest.skip(NEEDS_BWRAP)
    o = graded_hostile.outputs
    assert o.score(learner) == 0 and all(v == "failed" for v in o.verdicts(learner).values()), \
        f"{learner}: every test must fail (the code only counts right if it got out): {o.verdicts(learner)}"


def test_write_outside_leaves_no_file_outside_its_box(graded_hostile, sandboxed, scratch_root, course_src):
    if not sandboxed:
        pytest.skip(NEEDS_BWRAP)
    leaked = []
    for top in (scratch_root / "shared", scratch_root / "grade"):
        for dirpath, dirnames, filenames in os.walk(top):
            leaked += [os.path.join(dirpath, n) for n in dirnames + filenames if n == "PWNED"]
    for dirpath, dirnames, filenames in os.walk(course_src):
        if len(Path(dirpath).relative_to(course_src).parts) >= 3:  # find -maxdepth 3
            dirnames[:] = []
        leaked += [os.path.join(dirpath, n) for n in dirnames + filenames if n == "PWNED"]
    if Path("/PWNED").exists():
        leaked.append("/PWNED")
    assert not leaked, f"write-outside left files outside its box: {leaked}"


def test_network_fixture_never_reaches_the_host_listener(graded_hostile, sandboxed, loopback_listener):
    if not sandboxed:
        pytest.skip(NEEDS_BWRAP)
    log = loopback_listener["log"]
    text = log.read_text() if log.exists() else ""
    assert not text, f"the network fixture reached the host's listener on port {loopback_listener['port']}: {text}"


def test_junit_reports_stopped_tests_as_errors_and_assertions_as_failures(graded_hostile):
    junit = graded_hostile.outputs.junit
    types = {e.get("type") for e in junit.iter("error")}
    assert {"timeout", "crash", "resource limit", "does not compile"} <= types, f"JUnit error types: {types}"
    failures = {f.get("type") for f in junit.iter("failure")}
    assert failures == {"failed"}, f"JUnit failures must be assertion failures only: {failures}"
