"""Long-context helpers shared by the chapters on context extension (12 and 13).

* :func:`rope_inv_freq`: the rotary inverse frequencies ``θ_i = b'^(-2i/d)``, with the
  NTK-aware base ``b' = b·α^(d/(d-2))`` (``α = 1`` is plain RoPE);
* :func:`random_windows`: a batch of windows of consecutive tokens cut at random offsets from
  one long token stream (documents concatenated, as LLM pre-training does);
* :func:`window_loss` and :func:`train_on_windows`: next-token cross-entropy on such batches,
  with optional per-token loss weights, trained with the book's loop
  (:func:`rindoku.training.fit`).

What a chapter is about (Qwen's dynamic α, position interpolation, a copy task) stays in the
chapter; these are the parts both chapters need.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F


def rope_inv_freq(dim: int, base: float = 10_000.0, ntk_alpha: float = 1.0) -> torch.Tensor:
    """Rotary inverse frequencies ``θ_i = b'^(-2i/dim)``, ``i = 0 … dim/2 − 1``, float32.

    ``ntk_alpha`` enlarges the base NTK-aware style, ``b' = base·α^(dim/(dim-2))``: the
    fastest pair (``θ_0 = 1``) is unchanged and the slowest one is divided by exactly ``α``.

    >>> rope_inv_freq(4, base=100.0)
    tensor([1.0000, 0.1000])
    >>> slow = rope_inv_freq(32)[-1] / rope_inv_freq(32, ntk_alpha=31.0)[-1]
    >>> round(float(slow), 3), float(rope_inv_freq(32, ntk_alpha=31.0)[0])
    (31.0, 1.0)
    """
    if dim % 2 or dim < 4:
        raise ValueError(f"dim must be even and at least 4, got {dim}")
    if ntk_alpha < 1:
        raise ValueError(f"ntk_alpha must be at least 1, got {ntk_alpha}")
    scaled_base = base * ntk_alpha ** (dim / (dim - 2))
    exponents = torch.arange(0, dim, 2, dtype=torch.float64) / dim
    return (1.0 / scaled_base**exponents).float()


def random_windows(ids, batch: int, length: int, rng: np.random.Generator | None = None
                   ) -> torch.Tensor:
    """``batch`` windows of ``length`` consecutive tokens from the 1-D token stream ``ids``,
    at offsets drawn uniformly (with ``rng``, or torch's global generator when ``None``).

    Returns a ``(batch, length)`` int64 tensor (a copy: editing it leaves ``ids`` alone).

    >>> stream = torch.arange(100)
    >>> x = random_windows(stream, 3, 5, np.random.default_rng(0))
    >>> tuple(x.shape), bool(((x[:, 1:] - x[:, :-1]) == 1).all())
    ((3, 5), True)
    """
    ids = torch.as_tensor(ids)
    if ids.ndim != 1 or len(ids) < length:
        raise ValueError(f"need a 1-D stream of at least {length} tokens, got {tuple(ids.shape)}")
    high = len(ids) - length + 1
    if rng is None:
        starts = torch.randint(0, high, (batch,))
    else:
        starts = torch.as_tensor(rng.integers(0, high, batch))
    return ids[starts[:, None] + torch.arange(length)].long()


def window_loss(model, batch) -> torch.Tensor:
    """Next-token cross-entropy of ``batch``: token ids ``(batch, length)`` (the mean over every
    predicted token) or a pair ``(ids, weights)`` with per-token loss weights of the same shape
    (the weighted mean; the weight of the first token is never used).

    >>> from rindoku.models import tiny_causal_lm
    >>> lm = tiny_causal_lm(16, arch="llama", n_layer=1, d_model=16, n_head=2, max_len=8)
    >>> ids = torch.arange(8)[None]
    >>> plain, ones = window_loss(lm, ids), window_loss(lm, (ids, torch.ones(1, 8)))
    >>> library = lm(input_ids=ids, labels=ids).loss
    >>> bool(torch.isclose(plain, ones)), bool(torch.isclose(plain, library))
    (True, True)
    """
    ids, weights = batch if isinstance(batch, (tuple, list)) else (batch, None)
    logits = model(input_ids=ids).logits[:, :-1]
    nll = F.cross_entropy(logits.transpose(1, 2), ids[:, 1:], reduction="none")
    if weights is None:
        return nll.mean()
    w = torch.as_tensor(weights, dtype=nll.dtype)[:, 1:]
    return (nll * w).sum() / w.sum()


def train_on_windows(model, sample: Callable[[], object], steps: int, *, lr: float = 3e-3,
                     betas: tuple[float, float] = (0.9, 0.95), weight_decay: float = 0.1,
                     **fit_options) -> list[float]:
    """Train a causal LM for ``steps`` steps on batches from ``sample()``; return the losses.

    ``sample()`` returns a batch for :func:`window_loss` (ids, or ids and per-token loss
    weights), typically :func:`random_windows` of a token stream. The loop is the book's
    :func:`rindoku.training.fit` (AdamW, warm-up and cosine decay, clipping, a progress bar;
    ``fit_options`` such as ``desc``, ``progress``, ``bar``, ``warmup`` or ``clip`` go to it),
    with AdamW settings of LLM pre-training by default (β = (0.9, 0.95), weight decay 0.1).
    The model is left in eval mode.

    >>> from rindoku.models import tiny_causal_lm
    >>> _ = torch.manual_seed(0)
    >>> lm = tiny_causal_lm(16, arch="llama", n_layer=1, d_model=16, n_head=2, max_len=8)
    >>> stream = torch.arange(400) % 16          # 0 1 2 … 15 0 1 2 …: easy to predict
    >>> losses = train_on_windows(lm, lambda: random_windows(stream, 8, 8), 60,
    ...                           lr=1e-2, progress=False)
    >>> len(losses), sum(losses[-10:]) / 10 < losses[0]
    (60, True)
    """
    from rindoku.training import fit

    return fit(model, window_loss, sample, steps=steps, lr=lr, betas=betas,
               weight_decay=weight_decay, **fit_options)
