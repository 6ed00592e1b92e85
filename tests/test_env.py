import pytest
import torch

from rindoku import env


def test_seed_defaults_and_env_override(monkeypatch):
    monkeypatch.delenv("RINDOKU_SEED", raising=False)
    assert env.resolve_seed(5) == 5
    monkeypatch.setenv("RINDOKU_SEED", " 17 ")
    assert env.resolve_seed(5) == 17


@pytest.mark.parametrize("bad", ["seven", "1.5", "-1", str(2**32)])
def test_invalid_seed_is_a_clear_error(monkeypatch, bad):
    monkeypatch.setenv("RINDOKU_SEED", bad)
    with pytest.raises(ValueError, match="RINDOKU_SEED"):
        env.resolve_seed(0)


def test_threads(monkeypatch):
    monkeypatch.delenv("RINDOKU_THREADS", raising=False)
    assert env.resolve_threads() == 2
    monkeypatch.setenv("RINDOKU_THREADS", "1")
    assert env.resolve_threads() == 1
    monkeypatch.setenv("RINDOKU_THREADS", "0")
    with pytest.raises(ValueError, match="RINDOKU_THREADS"):
        env.resolve_threads()


def test_seed_everything_is_reproducible():
    import random

    import numpy as np

    env.seed_everything(3)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    env.seed_everything(3)
    assert a == (random.random(), np.random.rand(), torch.rand(1).item())


def test_banner_names_versions_and_seed():
    line = env.banner(11)
    assert "torch" in line and "transformers" in line and "seed 11" in line and "\n" not in line
