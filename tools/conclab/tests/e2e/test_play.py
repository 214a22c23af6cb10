"""`conclab play`: the learner is the scheduler of a lab's naive version. Played through a real terminal (a pty),
and without one (--moves, --hint), on the sim fixture lab 99.02 (two threads add one each with a load and a
store; its lab.toml [play] asks for a lost update)."""

import json
import subprocess

import pytest

from conclab_testlib import DEFAULT_TIMEOUT, Terminal, command_env, expect_exit, expect_in, expect_not_in
from test_explore import SIM_LAB, _sim_built, sim_course  # noqa: F401 (fixtures)

pytestmark = pytest.mark.xdist_group("sim-course")

PROMPT = "Which thread takes the next step?"
OVER_PROMPT = "u undo · r restart · h hint · q quit >"


def _winning_line(course) -> list[int]:
    res = course.run("play", SIM_LAB, "--hint", "--json")
    expect_exit(res, 0, "the hint's line wins")
    state = json.loads(res.output.strip().splitlines()[-1])
    assert state["status"] == "end" and state["outcome"] == "failed", state
    return state["choices"]


def play_terminal(course, *args: str) -> Terminal:
    """`conclab play` on a pseudo-terminal, 120 columns wide."""
    return Terminal(course, "play", *args, env={"COLUMNS": "120"})

def test_a_game_in_a_terminal_is_won_by_playing_the_lost_update(sim_course):
    line = _winning_line(sim_course)
    term = play_terminal(sim_course, SIM_LAB)
    screen = term.read_until(PROMPT, timeout=240)  # the first game builds the naive version in the sim tree
    for text in ("Goal:", "Make it end at 1", "T0 (the test)", "Where each thread is now:", "about to start"):
        assert text in screen, f"{text!r} not on the first screen:\n{screen}"

    term.type("9")  # not a thread that can run
    screen = term.read_until(PROMPT)
    assert "T9 cannot take a step now" in screen, screen

    term.type("banana")
    screen = term.read_until(PROMPT)
    assert "'banana' is not a move" in screen, screen

    term.type(str(line[0]))  # a move, then undo it: the same screen as before the move
    after_move = term.read_until(PROMPT)
    term.type("u")
    after_undo = term.read_until(PROMPT)
    assert after_undo.count("\n") < after_move.count("\n") or "(no steps yet)" in after_undo, after_undo

    for i, move in enumerate(line):
        term.type(str(move))
        screen = term.read_until(OVER_PROMPT if i == len(line) - 1 else PROMPT)
    for text in ("You win: a broken assertion", "an add was lost", "sim_counter.hpp:", "Now fix it"):
        assert text in screen, f"{text!r} not on the last screen:\n{screen}"
    term.type("q")
    assert term.wait() == 0, "quitting a won game exits 0"


def test_the_hint_key_shows_the_winning_line_and_where_the_player_left_it(sim_course):
    line = _winning_line(sim_course)
    term = play_terminal(sim_course, SIM_LAB)
    term.read_until(PROMPT, timeout=240)
    term.type("h")
    screen = term.read_until(PROMPT)
    assert "A winning line: " + " ".join(map(str, line)) in screen, screen
    term.type("q")
    assert term.wait() == 1, "quitting before winning exits 1"


def test_moves_without_a_terminal_win_or_say_why_not(sim_course):
    line = _winning_line(sim_course)
    res = sim_course.run("play", SIM_LAB, "--moves", ",".join(map(str, line)))
    expect_exit(res, 0, "the winning line wins")
    expect_in(res, "You win: a broken assertion", "the verdict")
    expect_in(res, "an add was lost", "the test's own message is the victory screen")

    # One thread to the end, then the other: the program is right on that schedule.
    first = sim_course.run("play", SIM_LAB, "--moves", "1", "--json")
    state = json.loads(first.output.strip().splitlines()[-1])
    assert state["status"] == "choose", state
    moves = [1]
    for _ in range(20):
        res = sim_course.run("play", SIM_LAB, "--moves", ",".join(map(str, moves)), "--json")
        state = json.loads(res.output.strip().splitlines()[-1])
        if state["status"] == "end":
            break
        moves.append(1 if 1 in state["options"] else state["options"][0])
    assert state["outcome"] == "passed", state
    res = sim_course.run("play", SIM_LAB, "--moves", ",".join(map(str, moves)))
    expect_exit(res, 1, "a schedule that does not break is not a win")
    expect_in(res, "nothing broke on this schedule", "what happened")


def test_bad_input_gets_one_sentence(sim_course):
    res = subprocess.run([str(sim_course.conclab), "play", SIM_LAB], cwd=sim_course.root, env=command_env(),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=DEFAULT_TIMEOUT)
    assert res.returncode == 2, res
    assert "needs a terminal" in res.stdout + res.stderr and "--moves" in res.stdout + res.stderr, res

    res = sim_course.run("play", SIM_LAB, "--moves", "1,x")
    expect_exit(res, 2)
    expect_in(res, "is not a list of moves", "what is wrong")
    res = sim_course.run("play", SIM_LAB, "--moves", "7")
    expect_exit(res, 2)
    expect_in(res, "Move 1 is T7, which cannot take a step then", "which move, and who could")
    res = sim_course.run("play", SIM_LAB, "--against", "nonsense", "--moves", "1")
    expect_exit(res, 2)
    expect_in(res, "has no version 'nonsense'", "the version")
    res = sim_course.run("play", "99.01", "--moves", "1")
    expect_exit(res, 2)
    expect_in(res, "has no game", "a lab without [play]")
    expect_in(res, "Labs with one: 99.02", "where the games are")
    for r in (res,):
        expect_not_in(r, "terminate called", "no exception text")
