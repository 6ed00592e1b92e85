"""A small training loop for causal LMs, with a progress bar and the loss history.

Enough for the tiny models of the book (seconds to a minute on a CPU). Chapters that need a
trainer with more machinery (reward models, RLOO/GRPO, DPO) use TRL's trainers directly.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import torch

from rindoku.lm import encode, pad_batch


def tokenize_examples(tokenizer, examples: Sequence, *, add_bos: bool = True, add_eos: bool = True):
    """Token ids and per-token loss masks for training.

    ``examples`` are plain texts (loss on every token) or ``(prompt, completion)`` pairs (loss
    on the completion only). Returns ``(ids, loss_mask)`` lists.

    >>> from rindoku.models import word_tokenizer
    >>> tok = word_tokenizer(["q a"])
    >>> ids, mask = tokenize_examples(tok, [("q", "a")])
    >>> tok.convert_ids_to_tokens(ids[0]), mask[0]
    (['<bos>', 'q', 'a', '<eos>'], [0, 0, 1, 1])
    """
    pairs = [(e, None) if isinstance(e, str) else tuple(e) for e in examples]
    prompts = encode(tokenizer, [p for p, _ in pairs])
    completions = encode(tokenizer, [c or "" for _, c in pairs])
    bos = [tokenizer.bos_token_id] if add_bos else []
    eos = [tokenizer.eos_token_id] if add_eos else []
    all_ids, all_masks = [], []
    for (_, completion), p, c in zip(pairs, prompts, completions):
        if completion is None:
            ids = bos + p + eos
            mask = [0] * len(bos) + [1] * (len(p) + len(eos))
        else:
            ids = bos + p + c + eos
            mask = [0] * (len(bos) + len(p)) + [1] * (len(c) + len(eos))
        all_ids.append(ids)
        all_masks.append(mask)
    return all_ids, all_masks


def train_causal_lm(model, tokenizer, examples: Sequence, *, epochs: float | None = None,
                    steps: int | None = None, batch_size: int = 64, lr: float = 3e-3,
                    weight_decay: float = 0.01, warmup_frac: float = 0.05, add_bos: bool = True,
                    add_eos: bool = True, desc: str = "training", progress: bool = True) -> list[float]:
    """Train ``model`` with next-token cross-entropy; return the loss of every step.

    Give either ``epochs`` (passes over shuffled ``examples``) or ``steps``. AdamW with linear
    warm-up and cosine decay. Batches are shuffled with torch's global generator, so a run is
    reproducible under :func:`rindoku.env.seed_everything`. See :func:`tokenize_examples` for
    the two kinds of example.

    >>> # losses = train_causal_lm(model, tok, ["a b c", "a b d"], epochs=10, batch_size=2)
    """
    from tqdm import tqdm
    from transformers import get_cosine_schedule_with_warmup

    if (epochs is None) == (steps is None):
        raise ValueError("give exactly one of epochs or steps")
    ids, masks = tokenize_examples(tokenizer, examples, add_bos=add_bos, add_eos=add_eos)
    n = len(ids)
    per_epoch = math.ceil(n / batch_size)
    total = steps if steps is not None else max(1, round(epochs * per_epoch))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = get_cosine_schedule_with_warmup(optimizer, int(warmup_frac * total), total)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    losses: list[float] = []
    order = torch.randperm(n)
    cursor = 0
    model.train()
    bar = tqdm(range(total), desc=desc, disable=not progress, file=sys.stdout,
               mininterval=1.0, ncols=80)
    for _ in bar:
        if cursor >= n:
            order, cursor = torch.randperm(n), 0
        rows = order[cursor : cursor + batch_size].tolist()
        cursor += batch_size
        batch_ids, attention = pad_batch([ids[r] for r in rows], pad_id)
        loss_mask, _ = pad_batch([masks[r] for r in rows], 0)
        labels = batch_ids.masked_fill(loss_mask == 0, -100)
        loss = model(input_ids=batch_ids, attention_mask=attention, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if len(losses) % 20 == 0:
            bar.set_postfix(loss=f"{sum(losses[-20:]) / 20:.3f}")
    bar.close()
    model.eval()
    return losses
