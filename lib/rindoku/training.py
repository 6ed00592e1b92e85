"""The book's training loop: AdamW, warm-up and cosine decay, gradient clipping, a progress
bar and the loss history.

:func:`fit` trains any model on any loss (a function of the model and a batch) over any
stream of batches; :func:`train_causal_lm` is :func:`fit` for next-token cross-entropy on
texts or ``(prompt, completion)`` pairs. Enough for the tiny models of the book (seconds to a
minute on a CPU). Chapters that need a trainer with more machinery (reward models, RLOO/GRPO,
DPO) use TRL's trainers (see :mod:`rindoku.reward`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence

import torch

from rindoku import progress as _progress
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


def fit(model, loss_fn: Callable, batches, *, steps: int, lr: float = 3e-3,
        weight_decay: float = 0.01, betas: tuple[float, float] = (0.9, 0.999),
        warmup: float | int = 0.05, schedule: str = "cosine", clip: float | None = 1.0,
        parameters: Iterable | None = None, desc: str = "training", progress: bool = True,
        bar=None, callback: Callable | None = None, log_every: int = 20) -> list[float]:
    """Train ``model`` for ``steps`` steps on ``loss_fn(model, batch)``; return each step's loss.

    ``loss_fn`` returns the loss (a scalar tensor), or a pair ``(loss, value)`` to record
    ``value`` in the history instead (e.g. the task term of a loss with a regulariser).

    ``batches`` is an iterable of batches (a list, a generator; it must last ``steps``
    batches) or a function of no arguments that returns a fresh batch (a sampler). Each step:
    ``model.train()``, the next batch, the loss, ``zero_grad``, backward, gradient clipping to
    norm ``clip`` (``None``: none), an AdamW step and a scheduler step. The schedule is
    ``"cosine"`` (linear warm-up, then cosine decay to zero) or ``"constant"``; ``warmup`` is a
    fraction of ``steps`` (a float) or a number of steps (an int). ``parameters`` defaults to
    all of the model's. ``callback(step, loss)`` runs after every step (``step`` counts from 1;
    it may evaluate the model: the next step sets train mode again). The progress bar
    (:func:`rindoku.progress.bar`) shows the mean loss of the last ``log_every`` steps; pass
    ``bar=`` to advance a bar shared by several runs instead (it is not closed here). The model
    is left in eval mode.

    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(1, 1)
    >>> x = torch.linspace(-1, 1, 32)[:, None]
    >>> mse = lambda m, b: ((m(b[0]) - b[1]) ** 2).mean()
    >>> losses = fit(model, mse, lambda: (x, 3 * x), steps=200, lr=0.1, progress=False)
    >>> len(losses), losses[-1] < 1e-3 * losses[0]
    (200, True)
    """
    from transformers import get_constant_schedule, get_cosine_schedule_with_warmup

    if schedule not in ("cosine", "constant"):
        raise ValueError(f"schedule must be 'cosine' or 'constant', not {schedule!r}")
    params = list(model.parameters() if parameters is None else parameters)
    optimizer = torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay)
    if schedule == "cosine":
        n_warmup = warmup if isinstance(warmup, int) else int(warmup * steps)
        scheduler = get_cosine_schedule_with_warmup(optimizer, n_warmup, steps)
    else:
        scheduler = get_constant_schedule(optimizer)
    next_batch = batches if callable(batches) else _stepper(iter(batches))
    own_bar = bar is None
    if own_bar:
        bar = _progress.bar(total=steps, desc=desc, disable=not progress)
    losses: list[float] = []
    for step in range(1, steps + 1):
        model.train()
        loss = loss_fn(model, next_batch())
        loss, logged = loss if isinstance(loss, tuple) else (loss, loss)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        scheduler.step()
        losses.append(logged.item() if torch.is_tensor(logged) else float(logged))
        bar.update(1)
        if own_bar and log_every and step % log_every == 0:
            bar.set_postfix(loss=f"{sum(losses[-log_every:]) / log_every:.3f}", refresh=False)
        if callback is not None:
            callback(step, losses[-1])
    if own_bar:
        bar.close()
    model.eval()
    return losses


def _stepper(iterator: Iterator) -> Callable:
    def next_batch():
        try:
            return next(iterator)
        except StopIteration:
            raise ValueError("the batches ran out before the last step") from None
    return next_batch


def causal_lm_loss(model, batch) -> torch.Tensor:
    """Next-token cross-entropy of a batch ``(input_ids, attention_mask, labels)``, labels
    ``-100`` where no loss is taken: the loss :func:`train_causal_lm` gives :func:`fit`.
    """
    ids, attention, labels = batch
    return model(input_ids=ids, attention_mask=attention, labels=labels).loss


def text_batches(tokenizer, examples: Sequence, *, batch_size: int = 64, add_bos: bool = True,
                 add_eos: bool = True) -> Iterator:
    """Endless batches ``(input_ids, attention_mask, labels)`` of ``examples``, reshuffled
    (with torch's global generator) on every pass; labels are ``-100`` where the loss mask of
    :func:`tokenize_examples` is 0 and on padding.

    >>> from rindoku.models import word_tokenizer
    >>> tok = word_tokenizer(["q a b"])
    >>> ids, attention, labels = next(text_batches(tok, [("q", "a b")], batch_size=1))
    >>> labels.tolist() == [[-100, -100] + ids[0, 2:].tolist()]
    True
    """
    ids, masks = tokenize_examples(tokenizer, examples, add_bos=add_bos, add_eos=add_eos)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    n = len(ids)
    order, cursor = torch.randperm(n), 0
    while True:
        if cursor >= n:
            order, cursor = torch.randperm(n), 0
        rows = order[cursor : cursor + batch_size].tolist()
        cursor += batch_size
        batch_ids, attention = pad_batch([ids[r] for r in rows], pad_id)
        loss_mask, _ = pad_batch([masks[r] for r in rows], 0)
        yield batch_ids, attention, batch_ids.masked_fill(loss_mask == 0, -100)


def train_causal_lm(model, tokenizer, examples: Sequence, *, epochs: float | None = None,
                    steps: int | None = None, batch_size: int = 64, lr: float = 3e-3,
                    weight_decay: float = 0.01, warmup_frac: float = 0.05, add_bos: bool = True,
                    add_eos: bool = True, desc: str = "training", progress: bool = True) -> list[float]:
    """Train ``model`` with next-token cross-entropy; return the loss of every step.

    Give either ``epochs`` (passes over shuffled ``examples``) or ``steps``. This is :func:`fit`
    (AdamW, linear warm-up and cosine decay, clipping at norm 1) on :func:`text_batches` with
    :func:`causal_lm_loss`. Batches are shuffled with torch's global generator, so a run is
    reproducible under :func:`rindoku.env.seed_everything`. See :func:`tokenize_examples` for
    the two kinds of example.

    >>> # losses = train_causal_lm(model, tok, ["a b c", "a b d"], epochs=10, batch_size=2)
    """
    if (epochs is None) == (steps is None):
        raise ValueError("give exactly one of epochs or steps")
    batches = text_batches(tokenizer, examples, batch_size=batch_size, add_bos=add_bos,
                           add_eos=add_eos)
    n = len(examples)
    total = steps if steps is not None else max(1, round(epochs * math.ceil(n / batch_size)))
    return fit(model, causal_lm_loss, batches, steps=total, lr=lr, weight_decay=weight_decay,
               warmup=float(warmup_frac), desc=desc, progress=progress)
