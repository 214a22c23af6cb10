"""`conclab hint` (one per call), `solution` (closed until the lab passes), `reset` (the starter back)."""

import pytest

from conclab_testlib import LAB_ID, expect_exit, expect_in, impl_path


def test_first_hint_comes_first(course):
    res = course.run("hint", LAB_ID)
    expect_exit(res, 0)
    expect_in(res, "Hint 1 of 3", "first hint")


def test_each_call_reveals_the_next_hint_of_the_current_lab(course):
    expect_exit(course.run("hint", LAB_ID), 0, "first hint")
    res = course.run("hint")
    expect_exit(res, 0)
    expect_in(res, "Hint 2 of 3", "second hint (current lab by default)")


def test_hint_all_shows_the_hints_revealed_so_far(course):
    expect_exit(course.run("hint", LAB_ID), 0, "first hint")
    expect_exit(course.run("hint"), 0, "second hint")
    res = course.run("hint", LAB_ID, "--all")
    expect_exit(res, 0)
    expect_in(res, "First hint", "--all shows the revealed hints")


def test_solution_stays_closed_until_the_lab_passes(course):
    res = course.run("solution", LAB_ID)
    expect_exit(res, 2)
    expect_in(res, "has not passed yet", "solution gated")


def _pass(course):
    course.use_impl("pass")
    expect_exit(course.run("check", LAB_ID), 0, "checking the correct version (so the solutions open)")


@pytest.mark.xdist_group("learner-course")
def test_solution_after_passing_shows_the_final_version_and_a_diff(built_course):
    _pass(built_course)
    res = built_course.run("solution", LAB_ID)
    expect_exit(res, 0)
    expect_in(res, "solutions/99-fixture/01-counter/final/counter.hpp", "the final version is shown")
    expect_in(res, "what differs from yours", "a diff against the learner's version")


@pytest.mark.xdist_group("learner-course")
def test_solution_variant_naive_shows_the_naive_version(built_course):
    _pass(built_course)
    res = built_course.run("solution", LAB_ID, "--variant", "naive")
    expect_exit(res, 0)
    expect_in(res, "no lock", "the naive version is shown")


@pytest.mark.xdist_group("learner-course")
def test_solution_refuses_a_variant_that_is_not_a_reference_version(built_course):
    _pass(built_course)
    res = built_course.run("solution", LAB_ID, "--variant", "best")
    expect_exit(res, 2)
    expect_in(res, "not a reference version", "bad variant")


def test_reset_puts_the_starter_back_and_keeps_a_backup(course):
    course.use_impl("pass")
    res = course.run("reset", LAB_ID)
    expect_exit(res, 0)
    expect_in(res, "back to its starter", "reset message")
    assert "TODO(lab)" in course.lab_file.read_text(), \
        f"reset did not restore the starter (no TODO(lab) in counter.hpp); {res}"
    backups = list(course.state_dir.glob("backups/99.01-*/counter.hpp"))
    assert backups, f"reset kept no backup in .conclab/backups/99.01-*/counter.hpp; {res}"
    assert backups[0].read_text() == impl_path(course.src, "pass").read_text(), \
        f"the backup {backups[0]} is not the learner's version that reset replaced"
