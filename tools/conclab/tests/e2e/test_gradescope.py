"""The Gradescope autograder zip (scripts/make-autograder.sh): its layout, and its run_autograder writing a
valid results.json, also when there is nothing to grade. Gradescope's setup.sh (apt-get, building conclab)
is not run: the conclab under test stands in for what it builds."""

import json
import os
import shutil

import pytest

from conclab_testlib import CONCURRENT_TEST as M, LAB_ID, LAB_REL, impl_path, run

pytestmark = pytest.mark.xdist_group("grade-work")


@pytest.fixture(scope="module")
def autograder(shared, grade_env):
    """The zip made from the grading course, unzipped into <path>/source; the commands' results."""
    item = shared("autograder")

    def build(path):
        zip_path = path / "autograder.zip"
        made = run(["bash", grade_env.src / "scripts/make-autograder.sh", LAB_ID, "--root", grade_env.course,
                    "--out", zip_path], path)
        (path / "source").mkdir()
        unzipped = run(["unzip", "-q", zip_path], path / "source") if made.code == 0 else None
        return {"made": str(made), "made_ok": made.code == 0,
                "unzipped": str(unzipped) if unzipped else "", "unzipped_ok": bool(unzipped and unzipped.code == 0)}

    info = item.get(build)
    info["source"] = item.path / "source"
    return info


@pytest.fixture
def unzipped(autograder):
    if not (autograder["made_ok"] and autograder["unzipped_ok"]):
        pytest.fail(f"no unzipped autograder to test: make-autograder.sh: {autograder['made']}\n"
                    f"unzip: {autograder['unzipped']}", pytrace=False)
    return autograder["source"]


def test_make_autograder_writes_a_zip_that_unzips(autograder):
    assert autograder["made_ok"], f"make-autograder.sh failed: {autograder['made']}"
    assert autograder["unzipped_ok"], f"the zip does not unzip: {autograder['unzipped']}"


def test_setup_and_run_autograder_are_at_the_zips_root_and_executable(unzipped):
    for name in ("setup.sh", "run_autograder"):
        p = unzipped / name
        assert p.is_file() and os.access(p, os.X_OK), \
            f"{name} must be at the zip's root, executable; the root holds {sorted(os.listdir(unzipped))}"


def test_zip_holds_the_lab_and_conclabs_sources_but_no_solutions(unzipped):
    assert not (unzipped / "solutions").exists(), "the zip must not hold solutions/"
    assert (unzipped / LAB_REL / "counter_test.cpp").is_file(), f"the zip must hold the lab's tests ({LAB_REL})"
    assert (unzipped / "tools/conclab/CMakeLists.txt").is_file(), "the zip must hold conclab's sources"


def _run_autograder(unzipped, grade_env, ag, conclab_bin):
    """run_autograder as Gradescope runs it, on AUTOGRADER_ROOT=ag (ag/source, ag/submission), reusing the
    grading tests' --work folder (configured once; run_autograder passes CONCLAB_GRADE_ARGS on)."""
    shutil.copytree(unzipped, ag / "source", symlinks=True)
    with grade_env.work_locked():
        return run([ag / "source/run_autograder"], ag, env={
            "AUTOGRADER_ROOT": str(ag), "CONCLAB": str(conclab_bin), "CONCLAB_GRADE_ARGS": f"--work {grade_env.work}"})


def test_run_autograder_grades_the_submission_into_a_valid_results_json(unzipped, grade_env, scratch, conclab_bin):
    (scratch / "submission").mkdir()
    shutil.copyfile(impl_path(grade_env.src, "race"), scratch / "submission/counter.hpp")
    res = _run_autograder(unzipped, grade_env, scratch, conclab_bin)
    results = scratch / "results/results.json"
    assert results.is_file(), f"run_autograder wrote no results/results.json; {res}"
    j = json.loads(results.read_text())
    why = f"results.json: {json.dumps(j, indent=1)[:4000]}\nrun_autograder: {res}"
    assert j["score"] == 3, f"the racy submission must score 3 of 5. {why}"
    assert len(j["tests"]) == 4 and all({"name", "score", "max_score", "status", "output"} <= set(t) for t in j["tests"]), \
        f"4 tests, each with Gradescope's keys. {why}"
    assert sum(t["max_score"] for t in j["tests"]) == 5, f"max scores must add up to 5 ([points]). {why}"
    assert [t["status"] for t in j["tests"] if t["name"] == M] == ["failed"], f"{M} must fail. {why}"


def test_run_autograder_without_a_submission_still_writes_why(unzipped, grade_env, scratch, conclab_bin):
    res = _run_autograder(unzipped, grade_env, scratch, conclab_bin)
    results = scratch / "results/results.json"
    assert results.is_file(), f"without a submission, run_autograder must still write results.json; {res}"
    j = json.loads(results.read_text())
    assert j["score"] == 0 and "could not grade" in j["output"], \
        f"without a submission: score 0 and 'could not grade' expected: {j}; {res}"
