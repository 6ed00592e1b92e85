import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

import rindoku
from rindoku import claims

ROOT = Path(__file__).resolve().parents[1]


def test_start_uses_env_seed(monkeypatch):
    monkeypatch.setenv("RINDOKU_SEED", "9")
    run = rindoku.start("demo", default_seed=0, quiet=True)
    assert run.seed == 9 and run.name == "demo"


def test_claims_serialise_numpy_and_torch(tmp_path):
    run = claims.Chapter("demo", seed=0)
    run.claim("a", paper=0.5, ours=np.float32(0.25), op="<", threshold=np.float64(0.5))
    run.claim("b", paper=None, ours=torch.tensor(3), op="in", threshold=(1, torch.tensor(4)))
    path = run.save(tmp_path)
    data = json.loads(path.read_text())
    assert path.name == "demo.json"
    assert {"chapter", "seed", "runtime_s", "claims"} <= set(data)
    a, b = data["claims"]
    assert a == {"name": "a", "kind": None, "expect": None, "verdict": None, "paper": 0.5,
                 "ours": 0.25, "null": None, "null_holds": None, "op": "<",
                 "threshold": 0.5, "test": "< 0.5", "margin": 0.25, "holds": True, "note": ""}
    assert b["ours"] == 3 and b["threshold"] == [1, 4] and b["test"] == "in [1, 4]"


@pytest.mark.parametrize("ours, op, threshold, expected", [
    (0.6, ">", 0.5, True), (0.5, ">", 0.5, False), (0.5, ">=", 0.5, True),
    (0.4, "<", 0.5, True), (0.5, "<", 0.5, False), (0.5, "<=", 0.5, True),
    (0.9, "in", (0.8, 1.25), True), (0.8, "in", (0.8, 1.25), True), (1.3, "in", (0.8, 1.25), False),
    (0.1, "out", (0.15, 0.85), True), (0.9, "out", (0.15, 0.85), True),
    (0.5, "out", (0.15, 0.85), False), (-0.2, ">", -0.3, True), (float("nan"), ">", 0, False),
])
def test_verdict_comes_from_value_op_threshold(ours, op, threshold, expected):
    run = claims.Chapter("demo", seed=0)
    c = run.claim("c", paper=None, ours=ours, op=op, threshold=threshold)
    assert c.holds is expected
    if c.margin is not None and not np.isnan(ours):
        assert (c.margin >= 0) == (expected or (op in "<>" and c.margin == 0))


def test_bad_claims_are_refused():
    run = claims.Chapter("demo", seed=0)
    with pytest.raises(ValueError, match="op must be"):
        run.claim("x", paper=1, ours=1, op="==", threshold=1)
    with pytest.raises(ValueError, match="low, high"):
        run.claim("x", paper=1, ours=1, op="in", threshold=1)
    with pytest.raises(ValueError, match="low > high"):
        run.claim("x", paper=1, ours=1, op="in", threshold=(2, 1))
    with pytest.raises(TypeError, match="number"):
        run.claim("x", paper=1, ours="yes", op=">", threshold=0)
    with pytest.raises(TypeError, match="number"):
        run.claim("x", paper=1, ours=True, op=">", threshold=0)
    with pytest.raises(TypeError):
        run.claim("x", paper=1, ours=1, op=">", holds=True)  # the old free boolean is gone
    run.claim("x", paper=1, ours=1, op=">=", threshold=1)
    with pytest.raises(ValueError, match="twice"):
        run.claim("x", paper=1, ours=1, op=">=", threshold=1)


def test_finish_lists_every_failing_claim(tmp_path):
    run = claims.Chapter("demo", seed=4)
    run.claim("good", paper=1, ours=1, op=">=", threshold=1)
    run.claim("bad one", paper=0.9, ours=0.1, op=">=", threshold=0.8)
    run.claim("bad two", paper=0.5, ours=0.7, op="<=", threshold=0.6)
    with pytest.raises(AssertionError) as info:
        run.finish(tmp_path, show=False)
    message = str(info.value)
    assert "2 of 3" in message and "bad one" in message and "bad two" in message and "seed 4" in message
    assert "≥ 0.8" in message and "≤ 0.6" in message
    assert (tmp_path / "demo.json").exists()  # the results are written even when a claim fails


def test_finish_without_claims_fails(tmp_path):
    with pytest.raises(AssertionError, match="no claims"):
        claims.Chapter("demo", seed=0).finish(tmp_path, show=False)


def test_table_columns():
    run = claims.Chapter("demo", seed=0)
    run.claim("ctl", kind="control", paper=None, ours=1.0, op=">=", threshold=0.9)
    run.claim("c", kind="paper", expect="reproduced", paper=0.967, ours=0.95, op=">=",
              threshold=0.9, note="held-out", null=0.5)
    run.claim("no", kind="paper", expect="not reproduced", paper="≫ 1", ours=1.1, op=">=",
              threshold=2)
    table = run.table()
    assert list(table.columns) == ["kind", "claim", "paper", "ours", "test", "verdict"]
    assert list(table["kind"]) == ["paper", "paper", "control"]  # paper claims first
    row = table.iloc[0]
    assert row["paper"] == "0.967" and row["verdict"] == "✓ reproduced" and row["test"] == "≥ 0.9"
    assert row["claim"] == "c (held-out)" and row["ours"] == "0.95 (null 0.5)"
    assert table.iloc[1]["verdict"] == "✗ not reproduced"  # never a ✓ beside a failure
    assert table.iloc[2]["verdict"] == "control holds"


def test_kind_and_expect_are_checked():
    run = claims.Chapter("demo", seed=0)
    with pytest.raises(ValueError, match="kind must be"):
        run.claim("x", kind="claim", paper=1, ours=1, op=">=", threshold=1)
    with pytest.raises(ValueError, match="declares expect"):
        run.claim("x", kind="paper", paper=1, ours=1, op=">=", threshold=1)
    with pytest.raises(ValueError, match="declares expect"):
        run.claim("x", kind="paper", expect="yes", paper=1, ours=1, op=">=", threshold=1)
    with pytest.raises(ValueError, match="only a paper claim"):
        run.claim("x", kind="control", expect="reproduced", paper=1, ours=1, op=">=",
                  threshold=1)
    with pytest.raises(TypeError, match="null must be a number"):
        run.claim("x", kind="paper", expect="reproduced", paper=1, ours=1, null="none",
                  op=">=", threshold=1)


def test_results_file_records_kind_expect_verdict_and_null(tmp_path):
    run = claims.Chapter("demo", seed=0)
    run.claim("gain", kind="paper", expect="reproduced", paper=0.1, ours=0.3, null=0.01,
              op=">=", threshold=0.1)
    run.claim("ctl", kind="control", paper=None, ours=1, op=">=", threshold=1)
    run.finish(tmp_path, show=False)
    gain, ctl = json.loads((tmp_path / "demo.json").read_text())["claims"]
    assert (gain["kind"], gain["expect"], gain["verdict"]) == ("paper", "reproduced", "reproduced")
    assert gain["null"] == 0.01 and gain["null_holds"] is False
    assert (ctl["kind"], ctl["expect"], ctl["verdict"]) == ("control", None, "holds")


def test_not_reproduced_claim_that_holds_fails_the_run(tmp_path):
    """Like a strict xfail: a claim reported as not reproduced must keep failing its test."""
    run = claims.Chapter("demo", seed=2)
    run.claim("bigger", kind="paper", expect="not reproduced", paper="≫ 1", ours=0.5,
              op=">=", threshold=2)
    run.finish(tmp_path, show=False)  # fails its test, as declared: the run passes
    run.claim("smaller", kind="paper", expect="not reproduced", paper="< 1", ours=0.5,
              op="<", threshold=1)
    with pytest.raises(AssertionError, match="smaller: declared not reproduced, but it holds"):
        run.finish(tmp_path, show=False)


def test_partly_claim_is_not_asserted_by_one_run(tmp_path):
    run = claims.Chapter("demo", seed=0)
    run.claim("sometimes", kind="paper", expect="partly", paper=1, ours=0.1, op=">=",
              threshold=0.5)
    run.finish(tmp_path, show=False)
    assert run.claims[0].verdict == "not reproduced"


def test_paper_claim_whose_null_passes_is_refused(tmp_path):
    run = claims.Chapter("demo", seed=0)
    run.claim("near in-range", kind="paper", expect="reproduced", paper="≈ 1", ours=1.01,
              null=0.999, op="<", threshold=1.05)
    with pytest.raises(AssertionError, match="does not separate the method from its null"):
        run.finish(tmp_path, show=False)
    # the same for a claim reported as not reproduced: a null that passes separates nothing
    run = claims.Chapter("demo", seed=0)
    run.claim("gain", kind="paper", expect="not reproduced", paper=">", ours=0.0, null=0.2,
              op=">=", threshold=0.1)
    with pytest.raises(AssertionError, match="null"):
        run.finish(tmp_path, show=False)


def test_control_must_hold(tmp_path):
    run = claims.Chapter("demo", seed=0)
    run.claim("detector fires", kind="control", paper=None, ours=0.0, op=">", threshold=0)
    with pytest.raises(AssertionError, match="detector fires: control: does not hold"):
        run.finish(tmp_path, show=False)


def test_results_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("RINDOKU_RESULTS", str(tmp_path / "r"))
    assert claims.results_dir() == tmp_path / "r"
    monkeypatch.delenv("RINDOKU_RESULTS")
    (tmp_path / "book" / "notebooks").mkdir(parents=True)
    (tmp_path / "book" / "_config.yml").write_text("title: x\n")
    monkeypatch.chdir(tmp_path / "book" / "notebooks")
    assert claims.results_dir() == (tmp_path / "book" / "results").resolve()


def _result(values: dict) -> dict:
    return {"chapter": "demo", "runtime_s": 1.0, "claims": [
        {"name": n, "paper": None, "ours": v, "op": op, "threshold": t,
         "test": claims.describe(op, t), "holds": claims.holds(v, op, t)}
        for n, (v, op, t) in values.items()]}


def test_summarise_sweep_ranges_margins_and_flags():
    runs = {0: _result({"wide": (0.9, ">", 0.5), "thin": (0.30, ">", 0.25)}),
            1: _result({"wide": (0.8, ">", 0.5), "thin": (0.40, ">", 0.25)}),
            2: _result({"wide": (0.85, ">", 0.5), "thin": (0.20, ">", 0.25)})}
    s = claims.summarise_sweep(runs)
    wide, thin = s["claims"]
    assert wide["min"] == 0.8 and wide["max"] == 0.9 and wide["all_hold"] and not wide["flagged"]
    assert round(wide["thinnest_margin"], 6) == 0.3 and wide["thinnest_seed"] == 1
    assert not thin["all_hold"] and thin["holds"] == {"0": True, "1": True, "2": False}
    assert thin["flagged"] and thin["thinnest_seed"] == 2 and round(thin["thinnest_margin"], 6) == -0.05
    assert not s["all_hold"] and s["flagged"] == ["thin"]
    frame = claims.sweep_frame(s)
    assert list(frame.columns) == ["claim", "kind", "test", "seed 0", "seed 1", "seed 2",
                                   "verdict", "thinnest margin", "⚑"]
    assert frame.iloc[1]["seed 2"].endswith("✗") and frame.iloc[1]["⚑"] == "⚑"


def _paper(values: dict, expect: str, nulls: dict | None = None) -> dict:
    out = _result(values)
    for c in out["claims"]:
        c.update(kind="paper", expect=expect)
        if nulls and c["name"] in nulls:
            c["null"] = nulls[c["name"]]
            c["null_holds"] = claims.holds(c["null"], c["op"], c["threshold"])
    return out


def test_sweep_verdicts_and_problems():
    seeds = range(6)
    # reproduced on every seed, with a margin wider than the spread: no problem
    s = claims.summarise_sweep({k: _paper({"c": (0.5 + 0.01 * k, ">=", 0.3)}, "reproduced")
                                for k in seeds})
    assert s["claims"][0]["verdict"] == "reproduced" and claims.sweep_problems(s) == []
    # declared partly but constant across seeds: the sweep test fails
    s = claims.summarise_sweep({k: _paper({"c": (0.5, ">=", 0.3)}, "partly") for k in seeds})
    assert "it is not 'partly'" in claims.sweep_problems(s)[0]
    # partly with both outcomes: fine
    s = claims.summarise_sweep({k: _paper({"c": (0.1 * k, ">=", 0.3)}, "partly") for k in seeds})
    c = s["claims"][0]
    assert c["verdict"] == "partly" and c["n_hold"] == 3 and claims.sweep_problems(s) == []
    # declared not reproduced, holds on one seed
    s = claims.summarise_sweep({k: _paper({"c": (0.1 * k, ">=", 0.45)}, "not reproduced")
                                for k in seeds})
    assert "declared not reproduced, but the sweep says partly (1 of 6" in \
        claims.sweep_problems(s)[0]
    # a null that passes on some seed
    s = claims.summarise_sweep({k: _paper({"c": (0.9, ">=", 0.3)}, "reproduced",
                                          {"c": 0.1 * k}) for k in seeds})
    assert claims.sweep_problems(s) == ["c: the null passes the test on seeds 3, 4, 5"]


def test_flagged_claims_need_ten_seeds():
    """A margin thinner than the spread on six seeds is a problem; on ten it is accepted."""
    def sweep(n, expect, base, op):
        return claims.summarise_sweep({k: _paper({"c": (base + 0.02 * k, op, 0.3)}, expect)
                                       for k in range(n)})
    s = sweep(6, "reproduced", 0.31, ">=")
    assert s["claims"][0]["flagged"] and "sweep seeds 0–9" in claims.sweep_problems(s)[0]
    assert claims.sweep_problems(sweep(10, "reproduced", 0.31, ">=")) == []
    # towards the other outcome for a not-reproduced claim: 0.29 fails ≥ 0.3 by only 0.01
    s = sweep(6, "not reproduced", 0.19, ">=")
    assert s["claims"][0]["verdict"] == "not reproduced"
    assert s["claims"][0]["flagged"] and round(s["claims"][0]["thinnest_margin"], 6) == 0.01


def test_summarise_sweep_counts_failed_runs():
    s = claims.summarise_sweep({0: _result({"c": (1.0, ">=", 1)})}, failed={3: "KernelDied"})
    assert s["seeds"] == [0, 3] and s["failed_runs"] == {"3": "KernelDied"}
    assert not s["all_hold"] and not s["claims"][0]["all_hold"]


def test_sweep_table_reads_committed_summary(tmp_path, capsys):
    s = claims.summarise_sweep({0: _result({"c": (1.0, ">=", 1)}), 1: _result({"c": (2.0, ">=", 1)})})
    (tmp_path / "demo.json").write_text(json.dumps(s))
    shown = claims.sweep_table("demo", folder=tmp_path)
    assert "not yet classified: 1 of 1 hold on every seed" in capsys.readouterr().out
    assert shown.data.iloc[0]["seed 1"] == "2"
    assert claims.sweep_table("absent", folder=tmp_path) is None
    assert "make seeds" in capsys.readouterr().out


def test_sweep_tool_runs_a_notebook_per_seed(tmp_path):
    """End to end: tools/sweep.py executes a tiny chapter for two seeds in fresh kernels."""
    book = tmp_path / "book"
    (book / "notebooks").mkdir(parents=True)
    (book / "_config.yml").write_text("title: x\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import rindoku\n"
        "run = rindoku.start('99_demo', quiet=True)\n"
        "run.claim('seed is small', paper=None, ours=run.seed, op='<', threshold=2)\n"
        "run.finish(show=False)")]
    path = book / "notebooks" / "99_demo.ipynb"
    nbformat.write(nb, str(path))
    out = tmp_path / "sweeps"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "sweep.py"), str(path),
                           "--seeds", "0", "3", "--jobs", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # seed 3 fails the claim
    summary = json.loads((out / "99_demo.json").read_text())
    c = summary["claims"][0]
    assert c["values"] == {"0": 0, "3": 3} and c["holds"] == {"0": True, "3": False}
    assert not (book / "results").exists()  # the sweep never touches the committed results


def test_relabel_sweep_changes_labels_never_measurements():
    from rindoku.sweeps import relabel_sweep

    runs = {k: _paper({"c": (0.1 * k, ">=", 0.3)}, "reproduced") for k in range(6)}
    for r in runs.values():
        r["seed"] = 0
    old = claims.summarise_sweep(runs)
    assert "declared reproduced, but the sweep says partly" in claims.sweep_problems(old)[0]
    result = {"seed": 0, "claims": [dict(runs[0]["claims"][0], expect="partly")]}
    new = relabel_sweep(old, result)
    assert claims.sweep_problems(new) == [] and new["claims"][0]["values"] == old["claims"][0]["values"]
    with pytest.raises(ValueError, match="measurement changed"):
        relabel_sweep(old, {"seed": 0, "claims": [dict(result["claims"][0], ours=0.05)]})
    with pytest.raises(ValueError, match="test changed"):
        relabel_sweep(old, {"seed": 0, "claims": [dict(result["claims"][0], threshold=0.2)]})
    with pytest.raises(ValueError, match="different claims"):
        relabel_sweep(old, {"seed": 0, "claims": []})


def test_relabel_refuses_a_threshold_that_changes_per_seed():
    from rindoku.sweeps import relabel_sweep

    runs = {k: _paper({"c": (0.5, ">=", 0.1 * k)}, "reproduced") for k in range(3)}
    old = claims.summarise_sweep(runs)
    result = {"seed": 0, "claims": [dict(runs[0]["claims"][0], expect="partly")]}
    with pytest.raises(ValueError, match="threshold differs from seed to seed"):
        relabel_sweep(old, result)
