"""The student release (scripts/make-student-release.sh): no solutions, no grades, no [variants.*], from a
plain folder and from a git checkout; and in the release `conclab check` builds and checks the lab,
`solution` says there is none, `reset` restores the starter from the release's own git history."""

import shutil

import pytest

from conclab_testlib import LAB_FILE, LAB_ID, LAB_REL, Course, copy_fixture_course, expect_exit, expect_in, \
    expect_not_in, git, run


def _course_with_grades(src, dest):
    """The grading course, with a class's results in grades/ (grade's default --out): they must not reach
    learners."""
    course = copy_fixture_course(src, dest, with_tools=True, points=True, git_init=False)
    (course / "grades/99.01/alice").mkdir(parents=True)
    (course / "grades/99.01/alice/results.json").write_text('{"score": 0}\n')
    return course


def _make_release(src, course, out, *args):
    res = run(["bash", src / "scripts/make-student-release.sh", "--root", course, "--out", out, *args], course.parent)
    return {"result": str(res), "ok": res.code == 0}


@pytest.fixture(scope="module")
def plain_release_made(shared, course_src):
    """make-student-release.sh run once on a plain folder (not a git checkout); the release it makes is a
    git repository of its own. Returns the script's result and the folder holding course/ and release/."""
    item = shared("release-plain")
    info = item.get(lambda path: _make_release(course_src, _course_with_grades(course_src, path / "course"),
                                               path / "release"))
    return info, item.path


@pytest.fixture(scope="module")
def plain_release(plain_release_made):
    info, path = plain_release_made
    if not info["ok"]:
        pytest.fail(f"make-student-release.sh failed: {info['result']}", pytrace=False)
    return path


@pytest.fixture(scope="module")
def git_release_made(shared, course_src):
    """make-student-release.sh --no-git --hints 1 run once on a git checkout of the course, with a new file not
    yet committed. Returns the script's result and the release folder."""
    item = shared("release-git")

    def build(path):
        course = _course_with_grades(course_src, path / "course")
        shutil.copyfile(course_src / ".gitignore", course / ".gitignore")
        git(course, "init", "-q")
        git(course, "add", "-A")
        git(course, "commit", "-qm", "course")
        (course / LAB_REL / "notes.txt").write_text("// new, not yet committed\n")
        return _make_release(course_src, course, path / "release", "--no-git", "--hints", "1")

    return item.get(build), item.path / "release"


@pytest.fixture
def release(shared, plain_release, conclab_bin, course_src):
    """The plain release as a course this test has to itself (locked across workers), fresh: its starter,
    no progress; restored afterwards. Its build trees are made by the first check and kept."""
    c = Course(plain_release / "release", conclab_bin, course_src)
    with shared("release-plain").locked():
        c.restore()
        yield c
        c.restore()


def test_make_student_release_works_from_a_plain_folder(plain_release_made):
    info, _ = plain_release_made
    assert info["ok"], f"make-student-release.sh failed: {info['result']}"


def test_make_student_release_works_from_a_git_checkout(git_release_made):
    info, _ = git_release_made
    assert info["ok"], f"make-student-release.sh from a git checkout failed: {info['result']}"


def test_release_has_no_solutions(plain_release):
    assert not (plain_release / "release/solutions").exists(), "the release has solutions/"


def test_release_leaves_out_the_class_grades(plain_release):
    assert not (plain_release / "release/grades").exists(), "the release has the class's grades/"


def test_release_lab_toml_loses_its_variants_and_keeps_the_rest(plain_release):
    toml = (plain_release / "release" / LAB_REL / "lab.toml").read_text()
    lines = toml.splitlines()
    assert not any(l.startswith("[variants") for l in lines) and "[points]" in lines, \
        f"the release's lab.toml must lose [variants.*] and keep the rest ([points]):\n{toml}"


def test_release_from_a_git_checkout_takes_tracked_and_new_files_only(git_release_made):
    info, git_release = git_release_made
    if not info["ok"]:
        pytest.fail(f"make-student-release.sh from a git checkout failed: {info['result']}", pytrace=False)
    present = sorted(p.name for p in git_release.iterdir())
    for name in ("solutions", "grades", ".git"):
        assert not (git_release / name).exists(), f"a release from a git checkout must have no {name}: {present}"
    for rel in (LAB_REL / "counter_test.cpp", LAB_REL / "notes.txt"):
        assert (git_release / rel).is_file(), f"a release from a git checkout must hold {rel}: {present}"


@pytest.mark.xdist_group("release")
def test_check_in_the_release_gives_the_starter_its_verdict(release):
    res = release.run("check", LAB_ID, "--no-tsan", timeout=900)
    expect_exit(res, 1, "conclab check on the release's starter")
    expect_in(res, "Verdict: failed", "the starter fails")


@pytest.mark.xdist_group("release")
def test_check_in_the_release_passes_a_solved_lab_without_pointing_at_solutions(release):
    release.use_impl("pass")
    res = release.run("check", LAB_ID, "--no-tsan", timeout=900)
    expect_exit(res, 0, "conclab check of a solved lab in the release")
    expect_in(res, "Verdict: passed", "the solved lab passes")
    expect_not_in(res, "conclab solution", "a passed check in the release must not point at solutions it does not have")


@pytest.mark.xdist_group("release")
def test_solution_in_the_release_says_there_is_none(release):
    res = release.run("solution", LAB_ID, timeout=60)
    expect_exit(res, 2)
    expect_in(res, "student release", "conclab solution in the release: one sentence")


@pytest.mark.xdist_group("release")
def test_reset_in_the_release_restores_the_starter_from_its_own_git(release, plain_release):
    release.use_impl("pass")
    res = release.run("reset", LAB_ID, timeout=60)
    expect_exit(res, 0, "conclab reset in the release")
    starter = (plain_release / "course" / LAB_REL / LAB_FILE).read_text()
    assert release.lab_file.read_text() == starter, \
        f"conclab reset in the release (a git repository of its own) must put the starter back; {res}"


def test_release_with_hints_1_keeps_each_labs_first_hint_only(git_release_made):
    info, git_release = git_release_made
    assert info["ok"], f"make-student-release.sh --hints 1 failed: {info['result']}"
    toml = (git_release / LAB_REL / "lab.toml").read_text()
    start = toml.index("hints = [")
    kept = [l for l in toml[start:toml.index("]", start)].splitlines()[1:] if l.strip()]
    assert len(kept) == 1, f"--hints 1 must leave one hint in the release's lab.toml:\n{toml}"


def test_release_refuses_a_hint_count_that_is_not_a_number(tmp_path, course_src):
    res = run(["bash", course_src / "scripts/make-student-release.sh", "--out", tmp_path / "r", "--hints", "two"], tmp_path)
    expect_exit(res, 2)
    expect_in(res, "--hints wants a number", "the refusal of a --hints that is not a number")
