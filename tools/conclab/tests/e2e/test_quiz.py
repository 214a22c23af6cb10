"""`conclab quiz`: the question bank with spaced repetition (Leitner boxes in state.json). Played through a real
terminal (a pty), and without one (--json, --answer), on the fixture course's three questions
(tests/fixture/modules/99-fixture/quiz.toml); the days come from CONCLAB_TODAY, never from the clock. One test
loads the course's real bank through the command."""

import json
import re
import shutil
import subprocess

from conclab_testlib import DEFAULT_TIMEOUT, Terminal, command_env, expect_exit, expect_in, expect_not_in, run

DAY = "2026-12-03"
IDS = ["fx-lost-update", "fx-fetch-add", "fx-data-race"]


def quiz(course, *args, day=DAY):
    return run([course.conclab, "quiz", *args], course.root, env={"CONCLAB_TODAY": day})


def round_of(course, *args, day=DAY) -> dict:
    res = quiz(course, "--json", *args, day=day)
    expect_exit(res, 0, "quiz --json")
    return json.loads(res.output)


def cards(course) -> dict:
    path = course.state_dir / "state.json"
    return json.loads(path.read_text()).get("quiz", {}) if path.exists() else {}


def quiz_terminal(course, *args: str, day: str = DAY) -> Terminal:
    """`conclab quiz` on a pseudo-terminal, on the day `day`."""
    return Terminal(course, "quiz", *args, env={"CONCLAB_TODAY": day})


ANSWER = "q quits) >"
SHORT_ANSWER = "Enter when done, q quits) >"
GOT_IT = "Did you get it? (y/n, q quits) >"


def test_a_round_in_a_terminal_right_and_wrong_and_the_miss_comes_back(course):
    term = quiz_terminal(course, "--count", "5")
    screen = term.read_until(ANSWER)
    for text in ("3 questions (3 new)", "Question 1 of 3 · 99-fixture · new", "Two threads run `++n` on a plain int",
                 "a) Nothing", "b) An update is lost", "Your answer (a-c"):
        assert text in screen, f"{text!r} not on the first question:\n{screen}"

    term.type("x")  # not a letter of the choices
    screen = term.read_until(ANSWER)
    assert "Type a letter from a-c, or q to quit." in screen, screen
    term.type("b")
    screen = term.read_until(ANSWER)
    for text in ("Right.", "load, an add and a store", "modules/99-fixture/01-counting.md#counting",
                 "Now in box 2: asked again on 2026-12-05.", "Question 2"):
        assert text in screen, f"{text!r} not after the right answer:\n{screen}"

    term.type("a")  # wrong: the answer is c
    screen = term.read_until(SHORT_ANSWER)
    for text in ("Not quite: the answer is c) x.fetch_add(1)", "Back to box 1: it comes back later in this round.",
                 "Question 3 of 4 · 99-fixture · new", "What is a data race?"):
        assert text in screen, f"{text!r} not after the wrong answer:\n{screen}"

    term.type("two threads, one writes, no order")
    screen = term.read_until(GOT_IT)
    assert "The model answer:" in screen and "nothing orders them" in screen, screen
    term.type("maybe")
    term.read_until(GOT_IT)
    term.type("y")
    screen = term.read_until(ANSWER)
    assert "Question 4 of 4 · 99-fixture · box 1" in screen and "in one indivisible step" in screen, \
        f"the missed question comes back at the end of the round:\n{screen}"
    term.type("c")
    assert term.wait() == 0, "a finished round exits 0"
    end = term.seen
    assert "Score: 3 of 4 right." in end, end
    assert "Due next: 3 on 2026-12-05." in end, end

    c = cards(course)
    assert c["fx-lost-update"] == {"box": 2, "due": "2026-12-05", "asked": 1, "missed": 0}, c
    assert c["fx-fetch-add"] == {"box": 2, "due": "2026-12-05", "asked": 2, "missed": 1}, c
    assert c["fx-data-race"]["box"] == 2, c


def test_q_mid_round_keeps_what_was_answered(course):
    term = quiz_terminal(course)
    term.read_until(ANSWER)
    term.type("b")
    term.read_until(ANSWER)
    term.type("q")
    assert term.wait() == 0
    assert "Stopped after 1 question: 1 right. Your answers are saved." in term.seen, term.seen
    assert "2 questions not asked yet." in term.seen, term.seen
    assert set(cards(course)) == {"fx-lost-update"}, cards(course)
    # The next round starts with what is left, in course order.
    assert [q["id"] for q in round_of(course)["questions"]] == ["fx-fetch-add", "fx-data-race"]


def test_json_prints_the_round_without_the_answers(course):
    r = round_of(course)
    assert r["today"] == DAY and r["new"] == 3 and r["due"] == 0, r
    assert [q["id"] for q in r["questions"]] == IDS, "new questions come in course order"
    first = r["questions"][0]
    assert first["choices"] == ["Nothing", "An update is lost", "The program refuses to compile"], first
    assert first["kind"] == "choice" and first["lesson"] == "modules/99-fixture/01-counting.md#counting", first
    assert r["questions"][2]["kind"] == "short" and r["questions"][2]["choices"] == [], r
    for q in r["questions"]:
        assert "answer" not in q and "explain" not in q, f"a round never shows the answers: {q}"
    assert len(round_of(course, "--count", "1")["questions"]) == 1


def test_answers_move_the_boxes_across_days(course):
    res = quiz(course, "--answer", "fx-lost-update=b", "--answer", "fx-fetch-add=A", "--answer", "fx-data-race=y", "--json")
    expect_exit(res, 0)
    results = {r["id"]: r for r in json.loads(res.output)["results"]}
    assert results["fx-lost-update"] | {"explain": ""} == {
        "id": "fx-lost-update", "correct": True, "answer": "b", "answer_text": "An update is lost", "explain": "",
        "lesson": "modules/99-fixture/01-counting.md#counting", "box": 2, "due": "2026-12-05"}, results
    assert results["fx-fetch-add"]["correct"] is False and results["fx-fetch-add"]["answer"] == "c", results
    assert (results["fx-fetch-add"]["box"], results["fx-fetch-add"]["due"]) == (1, DAY), "a miss: box 1, due today"
    assert "read-modify-write" in results["fx-fetch-add"]["explain"]
    assert results["fx-data-race"]["correct"] is True and results["fx-data-race"]["box"] == 2

    # The same day: only the miss is due. The next day it still is; answered right it climbs.
    assert [q["id"] for q in round_of(course)["questions"]] == ["fx-fetch-add"]
    r = round_of(course, day="2026-12-04")
    assert [q["id"] for q in r["questions"]] == ["fx-fetch-add"] and r["due"] == 1 and r["questions"][0]["box"] == 1, r
    res = quiz(course, "--answer", "fx-fetch-add=c", day="2026-12-04")
    expect_exit(res, 0)
    expect_in(res, "fx-fetch-add: right.", "text results")
    expect_in(res, "Now in box 2: asked again on 2026-12-06.", "box 2 comes back after 2 days")
    expect_in(res, "1 of 1 right.", "the score")

    # Two days after the first answers, the two in box 2 are due; then box 3 waits 4 days, across the month.
    r = round_of(course, day="2026-12-05")
    assert [q["id"] for q in r["questions"]] == ["fx-lost-update", "fx-data-race"], r
    res = quiz(course, "--answer", "fx-lost-update=b", "--answer", "fx-data-race=n", "--json", day="2026-12-30")
    results = {r["id"]: r for r in json.loads(res.output)["results"]}
    assert (results["fx-lost-update"]["box"], results["fx-lost-update"]["due"]) == (3, "2027-01-03"), results
    assert (results["fx-data-race"]["box"], results["fx-data-race"]["due"]) == (1, "2026-12-30"), results
    c = cards(course)
    assert c["fx-fetch-add"] == {"box": 2, "due": "2026-12-06", "asked": 2, "missed": 1}, c


def test_nothing_due_says_when_and_all_asks_early(course):
    expect_exit(quiz(course, *[a for i in ("fx-lost-update=b", "fx-fetch-add=c", "fx-data-race=y") for a in ("--answer", i)]), 0)
    r = round_of(course)
    assert r["questions"] == [], r
    assert r["message"] == ("Nothing is due today: you have answered every question, and the next 3 are due on 2026-12-05. "
                            "`conclab quiz --all` asks them now."), r
    early = round_of(course, "--all", "--count", "2")
    assert [q["id"] for q in early["questions"]] == IDS[:2] and early["early"] == 2, early
    # In a terminal, the same sentence.
    term = quiz_terminal(course)
    assert term.wait() == 0
    assert "Nothing is due today" in term.seen and "--all" in term.seen, term.seen


def test_topics_are_module_numbers_names_or_tags(course):
    for topic in ("99", "fixture", "99-fixture", "99-FIXTURE"):
        assert [q["id"] for q in round_of(course, "--topic", topic)["questions"]] == IDS, topic
    assert [q["id"] for q in round_of(course, "--topic", "counting")["questions"]] == IDS[:2]
    assert [q["id"] for q in round_of(course, "--topic", "atomics")["questions"]] == ["fx-fetch-add"]
    res = quiz(course, "--topic", "nope", "--json")
    expect_exit(res, 2, "an unknown topic")
    assert res.output.strip() == ("conclab: No questions on 'nope': a topic is a module (99-fixture, or its number alone, such as 99) "
                                  "or a tag (atomics, counting)."), res


def test_bad_input_gets_one_sentence_and_changes_nothing(course):
    res = subprocess.run([str(course.conclab), "quiz"], cwd=course.root, env=command_env({"CONCLAB_TODAY": DAY}),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=DEFAULT_TIMEOUT)
    assert res.returncode == 2 and "needs a terminal" in res.stderr and "conclab quiz --json" in res.stderr, res
    cases = [
        (["--answer", "nope=a"], "There is no question 'nope' in the bank"),
        (["--answer", "fx-lost-update=z"], "'z' is not one of the choices of 'fx-lost-update': answer with a letter from a-c."),
        (["--answer", "fx-data-race=b"], "answer fx-data-race=y if you got it, fx-data-race=n if not."),
        (["--answer", "fx-lost-update"], "'fx-lost-update' is not an answer: write ID=LETTER"),
        (["--answer", "fx-lost-update=b", "--answer", "nope=a"], "There is no question 'nope'"),
        (["--count", "0"], "--count"),
        (["--count", "51"], "--count"),
    ]
    for args, sentence in cases:
        res = quiz(course, *args)
        expect_exit(res, 2, " ".join(args))
        expect_in(res, sentence, " ".join(args))
        expect_not_in(res, "terminate called", "no exception text")
    assert cards(course) == {}, "a bad answer anywhere in the list moves no card"
    res = quiz(course, "--json", day="2026-13-45")
    expect_exit(res, 2, "a CONCLAB_TODAY that is not a date")
    expect_in(res, "CONCLAB_TODAY is '2026-13-45', which is not a date", "the day")


def test_the_course_bank_loads_through_the_command(course_src, conclab_bin, scratch):
    """The real bank, every module's quiz.toml with the lessons it links, read by the command itself (the unit test
    lints it), in a copy: a learner's own progress in the source tree changes nothing here."""
    root = scratch / "course"
    shutil.copytree(course_src / "modules", root / "modules")
    (root / "labs").mkdir()
    (root / "CMakePresets.json").write_text("{}")
    res = run([conclab_bin, "--root", root, "quiz", "--json", "--count", "50"], scratch, env={"CONCLAB_TODAY": DAY})
    expect_exit(res, 0)
    expect_not_in(res, "warning", "the course's bank has no problems")
    r = json.loads(res.output)
    assert len(r["questions"]) == 50 and r["new"] == 50, r
    assert r["questions"][0]["module"] == "00-foundations", "new questions come in course order"
    for topic, module in (("00", "00-foundations"), ("01", "01-primitives"), ("02", "02-memory-model"),
                          ("03", "03-classic-problems"), ("08", "08-interview")):
        res = run([conclab_bin, "--root", root, "quiz", "--json", "--count", "50", "--topic", topic], scratch,
                  env={"CONCLAB_TODAY": DAY})
        expect_exit(res, 0, f"--topic {topic}")
        questions = json.loads(res.output)["questions"]
        assert len(questions) >= 18 and {q["module"] for q in questions} == {module}, (topic, len(questions))
