"""Where you are: `conclab list`, `next`, bare `conclab`, `progress`, and their --json forms."""

import json

import pytest

from conclab_testlib import LAB_ID, expect_exit, expect_in


def test_list_shows_the_lab_and_marks_where_you_are(course):
    res = course.run("list")
    expect_exit(res, 0)
    expect_in(res, "99.01", "list shows the lab")
    expect_in(res, "<- you are here", "list marks the current lab")


def test_next_names_the_lab_to_do(course):
    res = course.run("next")
    expect_exit(res, 0)
    expect_in(res, "Fixture counter", "next names the lab")


def test_bare_conclab_says_how_to_check_the_current_lab(course):
    res = course.run()
    expect_exit(res, 0)
    expect_in(res, "./conclab check 99.01", "bare conclab says how to check")


def test_list_json_counts_one_lab_not_started(course):
    res = course.run("list", "--json")
    expect_exit(res, 0)
    d = json.loads(res.output)
    assert d["total"] == 1 and d["labs"][0]["status"] == "not started", \
        f"list --json on a fresh course: expected total 1 and the lab 'not started'; {res}"


@pytest.mark.xdist_group("learner-course")
def test_a_passed_lab_is_done_in_list_and_counted_by_progress_json(built_course):
    built_course.use_impl("pass")
    expect_exit(built_course.run("check", LAB_ID), 0, "checking the correct version")
    res = built_course.run("list")
    expect_exit(res, 0)
    expect_in(res, "[x] 99.01", "list shows the lab done")
    res = built_course.run("progress", "--json")
    expect_exit(res, 0)
    assert json.loads(res.output)["done"] == 1, f"progress --json after passing: expected done == 1; {res}"
