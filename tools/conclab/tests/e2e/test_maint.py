"""`conclab maint`: the lab contract (verify, in built trees) and lab.toml lint, on the fixture lab."""

import pytest

from conclab_testlib import LAB_ID, VARIANT_TARGETS, expect_exit, expect_in, run


def _build_variants(course):
    """The starter and reference targets, built in both trees (a no-op when they are up to date; the
    starter is rebuilt when an earlier test left another version's program behind)."""
    for tree, targets in VARIANT_TARGETS.items():
        expect_exit(run(["cmake", "--build", tree, "--target", *targets], course.root), 0,
                    f"building the fixture's variants in {tree}")


def _verify(course, variant, tree):
    _build_variants(course)
    return course.run("maint", "verify", LAB_ID, "--variant", variant, "--build-dir", tree)


@pytest.mark.xdist_group("learner-course")
def test_fixture_variants_build_in_both_trees(built_course):
    _build_variants(built_course)


@pytest.mark.xdist_group("learner-course")
def test_verify_final_passes_every_graded_test(built_course):
    res = _verify(built_course, "final", "build/default")
    expect_exit(res, 0)
    expect_in(res, "all 4 graded tests pass", "final passes")


@pytest.mark.xdist_group("learner-course")
def test_verify_naive_fails_exactly_the_tests_lab_toml_names_under_tsan(built_course):
    res = _verify(built_course, "naive", "build/tsan")
    expect_exit(res, 0)
    expect_in(res, "fails exactly CounterTest.AddsFromManyThreads", "naive fails as named")


@pytest.mark.xdist_group("learner-course")
def test_verify_naive_has_nothing_to_check_in_the_default_build(built_course):
    res = _verify(built_course, "naive", "build/default")
    expect_exit(res, 77, "77 is CTest's 'skipped'")
    expect_in(res, "nothing to check here", "naive has no default-build claim")


@pytest.mark.xdist_group("learner-course")
def test_verify_starter_is_unsolved(built_course):
    res = _verify(built_course, "starter", "build/default")
    expect_exit(res, 0)
    expect_in(res, "fails", "the starter is unsolved")


def test_lint_finds_no_problems_in_the_fixture_lab(course):
    res = course.run("maint", "lint")
    expect_exit(res, 0)
    expect_in(res, "no problems", "the fixture lab lints clean")
