import json

import numpy as np
import pytest
import torch

import rindoku
from rindoku import claims


def test_start_uses_env_seed(monkeypatch):
    monkeypatch.setenv("RINDOKU_SEED", "9")
    run = rindoku.start("demo", default_seed=0, quiet=True)
    assert run.seed == 9 and run.name == "demo"


def test_claims_serialise_numpy_and_torch(tmp_path):
    run = claims.Chapter("demo", seed=0)
    run.claim("a", paper=0.5, ours=np.float32(0.25), holds=np.bool_(True), test="t")
    run.claim("b", paper=None, ours=torch.tensor(3), holds=bool(torch.tensor(1) > 0))
    path = run.save(tmp_path)
    data = json.loads(path.read_text())
    assert path.name == "demo.json"
    assert {"chapter", "seed", "runtime_s", "claims"} <= set(data)
    assert data["claims"][0] == {"name": "a", "paper": 0.5, "ours": 0.25, "holds": True, "test": "t"}
    assert data["claims"][1]["ours"] == 3


def test_holds_must_be_a_boolean():
    run = claims.Chapter("demo", seed=0)
    with pytest.raises(TypeError):
        run.claim("x", paper=1, ours=1, holds="yes")
    run.claim("x", paper=1, ours=1, holds=True)
    with pytest.raises(ValueError, match="twice"):
        run.claim("x", paper=1, ours=1, holds=True)


def test_finish_lists_every_failing_claim(tmp_path):
    run = claims.Chapter("demo", seed=4)
    run.claim("good", paper=1, ours=1, holds=True)
    run.claim("bad one", paper=0.9, ours=0.1, holds=False, test="ours >= 0.8")
    run.claim("bad two", paper=0.5, ours=0.7, holds=False, test="ours <= 0.6")
    with pytest.raises(AssertionError) as info:
        run.finish(tmp_path, show=False)
    message = str(info.value)
    assert "2 of 3" in message and "bad one" in message and "bad two" in message and "seed 4" in message
    assert (tmp_path / "demo.json").exists()  # the results are written even when a claim fails


def test_finish_without_claims_fails(tmp_path):
    with pytest.raises(AssertionError, match="no claims"):
        claims.Chapter("demo", seed=0).finish(tmp_path, show=False)


def test_table_columns():
    run = claims.Chapter("demo", seed=0)
    run.claim("c", paper=0.967, ours=0.95, holds=True, test="≥ 0.9")
    table = run.table()
    assert list(table.columns) == ["claim", "paper", "ours", "test", "holds"]
    assert table.iloc[0]["paper"] == "0.967" and table.iloc[0]["holds"] == "✓"


def test_results_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("RINDOKU_RESULTS", str(tmp_path / "r"))
    assert claims.results_dir() == tmp_path / "r"
    monkeypatch.delenv("RINDOKU_RESULTS")
    (tmp_path / "book" / "notebooks").mkdir(parents=True)
    (tmp_path / "book" / "_config.yml").write_text("title: x\n")
    monkeypatch.chdir(tmp_path / "book" / "notebooks")
    assert claims.results_dir() == (tmp_path / "book" / "results").resolve()
