"""The SQLite gradebook after two gradings (the hostile submissions, then the class), and its exports."""

import json

import pytest

from conclab_testlib import expect_exit, expect_in

pytestmark = pytest.mark.xdist_group("grade-work")


@pytest.fixture(scope="module")
def gradebook(graded_hostile, graded_class, grade_env):
    """The gradebook both gradings were added to."""
    for g in (graded_hostile, graded_class):
        expect_exit(g.result, 0, "a grading the gradebook tests read")
    return grade_env.gradebook


def _export(grade_env, gradebook, *args):
    res = grade_env.conclab_cmd("gradebook", "export", "--db", str(gradebook), *args)
    expect_exit(res, 0)
    return res


def test_export_of_a_lab_has_one_column_per_test(grade_env, gradebook):
    res = _export(grade_env, gradebook, "--lab", "99.01")
    expect_in(res, "learner,CounterTest.StartsAtZero", "export --lab has one column per test")


def test_export_of_a_lab_has_the_latest_row_of_each_learner(grade_env, gradebook):
    res = _export(grade_env, gradebook, "--lab", "99.01")
    expect_in(res, "alice,1,1,2,1,5,5,passed", "alice's latest row")


def test_export_takes_a_short_lab_id(grade_env, gradebook):
    res = _export(grade_env, gradebook, "--lab", "99.1")
    expect_in(res, "alice,1,1,2,1,5,5,passed", "export --lab takes a short id (99.1), as every command does")


def test_export_has_one_column_per_lab(grade_env, gradebook):
    res = _export(grade_env, gradebook)
    expect_in(res, "learner,99.01,total,max", "export has one column per lab")


def test_history_keeps_every_grading_of_every_learner(grade_env, gradebook):
    res = _export(grade_env, gradebook, "--history", "--format", "json")
    rows = json.loads(res.output)
    gradings = {r["grading"] for r in rows}
    assert len(gradings) == 2 and len(rows) == 24, \
        f"export --history should list both gradings (14 + 10 rows): got {len(gradings)} gradings, {len(rows)} rows; {res}"


def test_missing_gradebook_is_one_clear_sentence_with_exit_2(grade_env, scratch):
    res = grade_env.conclab_cmd("gradebook", "export", "--db", str(scratch / "none.sqlite"))
    expect_exit(res, 2)
    expect_in(res, "no gradebook", "a missing gradebook is one clear sentence")
