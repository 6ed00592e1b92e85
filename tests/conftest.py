import os

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def tiny_world():
    """A word tokenizer and a 1-layer model over a toy corpus (random weights)."""
    import torch

    from rindoku import models

    torch.manual_seed(0)
    tok = models.word_tokenizer(["alice likes tea", "bob likes coffee", "carol likes juice"])
    model = models.tiny_causal_lm(len(tok), n_layer=1, d_model=32, n_head=2, max_len=16, tokenizer=tok)
    return tok, model.eval()
