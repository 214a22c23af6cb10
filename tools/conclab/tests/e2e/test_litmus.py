"""`conclab litmus`: the table (what C++ allows, what x86 allows, what this machine did), its JSON, and bad input.
Needs no course: it runs from any folder."""

import json
import os

from conclab_testlib import expect_exit, expect_in

# What the C++ memory model allows, per test and order, for each test's "interesting" outcome (the one no
# interleaving gives): the standard's answers (cppmem; herd7's C++ library; C++20's seq_cst fences, P0668R5).
INTERESTING = {
    "SB": ("r0=0 r1=0", {"relaxed": True, "acq-rel": True, "seq-cst": False, "fence": False}),
    "MP": ("r0=1 r1=0", {"relaxed": True, "acq-rel": False, "seq-cst": False, "fence": False}),
    "LB": ("r0=1 r1=1", {"relaxed": True, "acq-rel": False, "seq-cst": False, "fence": False}),
    "IRIW": ("r0=1 r1=0 r2=1 r3=0", {"relaxed": True, "acq-rel": True, "seq-cst": False, "fence": False}),
    "2+2W": ("x=1 y=1", {"relaxed": True, "acq-rel": True, "seq-cst": False, "fence": False}),
    "WRC": ("r0=1 r1=1 r2=0", {"relaxed": True, "acq-rel": False, "seq-cst": False, "fence": False}),
    "CoRR": ("r0=1 r1=0", {"relaxed": False, "acq-rel": False, "seq-cst": False, "fence": False}),
}


def _json(res):
    expect_exit(res, 0)
    return json.loads(res.output)


def test_the_model_column_is_the_c_plus_plus_answer_for_every_test_and_order(run_conclab, scratch):
    doc = _json(run_conclab("litmus", "all", "--order", "all", "--no-machine", "--json", cwd=scratch, timeout=300))
    seen = set()
    for table in doc["tables"]:
        name, order = table["test"], table["order"]
        seen.add((name, order))
        assert table["machine"] is None, f"{name} {order}: --no-machine still ran it"
        rows = {r["outcome"]: r for r in table["outcomes"]}
        outcome, allowed = INTERESTING[name]
        assert rows[outcome]["cpp_allowed"] is allowed[order], f"{name} with {order}: C++ column says {rows[outcome]}"
        assert rows[outcome]["sc_allowed"] is False, f"{name}: {outcome} is not a sequentially consistent outcome"
        for row in table["outcomes"]:
            assert not (row["sc_allowed"] and not row["cpp_allowed"]), f"{name} {order}: SC outcome {row} not allowed"
            want = "forbidden" if not row["cpp_allowed"] else "acceptable" if row["sc_allowed"] else "interesting"
            assert row["kind"] == want, f"{name} {order}: {row}"
        # x86-TSO: only SB's store->load pair is reordered, and only without a seq_cst store or fence.
        x86_extra = name == "SB" and order in ("relaxed", "acq-rel")
        assert rows[outcome]["x86_allowed"] is x86_extra, f"{name} {order}: x86 column says {rows[outcome]}"
    assert len(seen) == 7 * 4, f"expected 7 tests x 4 orders, got {sorted(seen)}"


def test_a_machine_run_counts_every_iteration_and_sees_nothing_forbidden(run_conclab, scratch):
    doc = _json(run_conclab("litmus", "SB", "--iterations", "20000", "--json", cwd=scratch, timeout=120))
    (table,) = doc["tables"]
    machine = table["machine"]
    if doc["usable_cpus"] < 2:
        assert machine["ran"] is False and "needs a CPU for each" in machine["not_run"], machine
        return
    assert machine["ran"] is True, machine
    assert machine["iterations"] == 20000, machine
    assert len(set(machine["cpus"])) == 2, f"the two threads should be pinned to two CPUs: {machine}"
    assert sum(r["seen"] for r in table["outcomes"]) == 20000, table["outcomes"]
    assert not doc["forbidden_seen"] and not table["forbidden_seen"], table
    assert all(r["seen"] == 0 for r in table["outcomes"] if not r["cpp_allowed"]), table


def test_the_text_table_names_the_columns_and_explains_the_interesting_outcome(run_conclab, scratch):
    res = run_conclab("litmus", "mp", "--order", "acq_rel", "--iterations", "5000", cwd=scratch, timeout=120)
    expect_exit(res, 0)
    expect_in(res, "MP (message passing), acq-rel", "the title, with the name matched case-insensitively")
    expect_in(res, "data.store(1, release); flag.store(1, release);", "the code of thread 0 in the chosen order")
    expect_in(res, "r0 = flag.load(acquire); r1 = data.load(acquire);", "the code of thread 1")
    expect_in(res, "outcome", "the header")
    expect_in(res, "C++  x86", "the columns")
    assert "r0=1 r1=0" in res.output and "forbidden" in res.output, res


def test_a_test_with_more_threads_than_cpus_says_what_it_cannot_show(run_conclab, scratch):
    res = run_conclab("litmus", "IRIW", "--order", "seq-cst", "--iterations", "2000", cwd=scratch, timeout=120)
    expect_exit(res, 0)
    if len(os.sched_getaffinity(0)) < 4:
        expect_in(res, "not run here: IRIW has 4 threads and needs a CPU for each", "the reason IRIW did not run")
    expect_in(res, "r0=1 r1=0 r2=1 r3=0", "IRIW's interesting outcome in the table")


def test_bad_input_gets_one_sentence_and_exit_2(run_conclab, scratch):
    cases = [
        (("litmus", "XY"), "There is no litmus test called 'XY': choose one of SB, MP, LB, IRIW, 2+2W, WRC, CoRR, or all."),
        (("litmus", "SB", "--order", "weird"), "'weird' is not a memory order conclab litmus knows"),
        (("litmus", "SB", "--iterations", "0"), "--iterations must be between 1 and 1,000,000,000; 0 is not."),
        (("litmus", "SB", "--time-limit", "0"), "--time-limit is in seconds"),
    ]
    for args, message in cases:
        res = run_conclab(*args, cwd=scratch)
        expect_exit(res, 2, " ".join(args))
        expect_in(res, message, " ".join(args))
        assert len(res.output.strip().splitlines()) == 1, f"one sentence expected: {res}"
