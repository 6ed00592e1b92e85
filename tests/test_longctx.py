import math

import numpy as np
import pytest
import torch

from rindoku import longctx, models


def test_rope_inv_freq_is_plain_rope_at_alpha_one():
    from transformers import Qwen2Config
    from transformers.models.qwen2.modeling_qwen2 import Qwen2RotaryEmbedding

    config = Qwen2Config(hidden_size=128, num_attention_heads=4,
                         rope_parameters={"rope_type": "default", "rope_theta": 10_000.0})
    library = Qwen2RotaryEmbedding(config).inv_freq
    assert torch.allclose(longctx.rope_inv_freq(32), library, rtol=1e-6, atol=0)


def test_ntk_base_divides_the_slowest_frequency_by_alpha():
    for alpha in (3.0, 7.0, 31.0):
        plain, ntk = longctx.rope_inv_freq(32), longctx.rope_inv_freq(32, ntk_alpha=alpha)
        assert ntk[0] == plain[0] == 1.0                        # fastest pair kept
        assert math.isclose(plain[-1] / ntk[-1], alpha, rel_tol=1e-5)
        assert bool((ntk <= plain).all())                       # never faster


def test_ntk_matches_transformers_dynamic_at_powers_of_two():
    """transformers' "dynamic" type with factor f at length n uses α = f·n/L − (f − 1)."""
    from transformers import Qwen2Config
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    L, n, f = 64, 1024, 2.0
    config = Qwen2Config(hidden_size=128, num_attention_heads=4, max_position_embeddings=L,
                         rope_parameters={"rope_type": "dynamic", "factor": f,
                                          "rope_theta": 10_000.0})
    library = ROPE_INIT_FUNCTIONS["dynamic"](config, None, seq_len=n)[0]
    assert torch.allclose(longctx.rope_inv_freq(32, ntk_alpha=f * n / L - (f - 1)), library)


def test_rope_inv_freq_rejects_bad_arguments():
    with pytest.raises(ValueError):
        longctx.rope_inv_freq(7)
    with pytest.raises(ValueError):
        longctx.rope_inv_freq(32, ntk_alpha=0.5)


def test_random_windows_are_consecutive_and_reproducible():
    stream = torch.arange(1000) * 3
    a = longctx.random_windows(stream, 16, 10, np.random.default_rng(1))
    b = longctx.random_windows(stream, 16, 10, np.random.default_rng(1))
    assert a.shape == (16, 10) and a.dtype == torch.int64 and torch.equal(a, b)
    assert bool(((a[:, 1:] - a[:, :-1]) == 3).all())
    a[0, 0] = -1
    assert stream.min() == 0                                    # a copy, not a view
    whole = longctx.random_windows(np.arange(10), 4, 10)        # only one possible offset
    assert torch.equal(whole, torch.arange(10).repeat(4, 1))
    with pytest.raises(ValueError):
        longctx.random_windows(torch.arange(5), 2, 6)


def test_random_windows_cover_every_offset():
    windows = longctx.random_windows(torch.arange(20), 2000, 5, np.random.default_rng(0))
    assert set(windows[:, 0].tolist()) == set(range(16))


def test_window_loss_weights_select_tokens():
    torch.manual_seed(0)
    lm = models.tiny_causal_lm(16, arch="llama", n_layer=1, d_model=16, n_head=2, max_len=8)
    ids = torch.randint(0, 16, (2, 8))
    weights = torch.zeros(2, 8)
    weights[1, 5] = 1.0                                         # only token 5 of row 1
    logits = lm(input_ids=ids).logits
    expected = torch.nn.functional.cross_entropy(logits[1, 4][None], ids[1, 5][None])
    assert torch.isclose(longctx.window_loss(lm, (ids, weights)), expected)
    assert torch.isclose(longctx.window_loss(lm, ids), lm(input_ids=ids, labels=ids).loss)


def test_train_on_windows_learns_a_periodic_stream():
    torch.manual_seed(0)
    lm = models.tiny_causal_lm(16, arch="llama", n_layer=1, d_model=16, n_head=2, max_len=8)
    stream = torch.arange(400) % 16
    rng = np.random.default_rng(0)
    losses = longctx.train_on_windows(
        lm, lambda: longctx.random_windows(stream, 8, 8, rng), 100, lr=2e-2, progress=False)
    assert len(losses) == 100 and sum(losses[-10:]) / 10 < 0.5 * losses[0]
    assert not lm.training
