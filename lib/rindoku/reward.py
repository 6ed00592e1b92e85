"""Reward models: a tiny GPT-2 with a scalar head, trained on preference pairs with TRL's
``RewardTrainer`` (the Bradley-Terry loss ``-log sigmoid(r(chosen) - r(rejected))``).

The book's settings for the trainer (:data:`TRAINER_ARGS`: CPU, float32, no checkpoints, no
logging, no progress bars) and the model (:func:`reward_model`) are fixed here, so that every
chapter that trains a reward model trains it the same way; the data, epochs and learning
rate are the chapter's. A preference pair is ``(prompt, chosen, rejected)`` as strings: TRL
scores ``prompt + chosen`` against ``prompt + rejected``, and :func:`rewards` scores
``prompt + completion`` the same way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence

import torch

from rindoku.lm import encode, pad_batch

def _checkpointing_off() -> dict:
    """No activation checkpointing (TRL's configs default to it), under the name the installed
    transformers knows: ``activation_checkpointing`` since its rename, ``gradient_checkpointing``
    before it (Colab's transformers 5.15, for one).

    >>> list(_checkpointing_off().values())
    [False]
    """
    import dataclasses

    from transformers import TrainingArguments

    names = {f.name for f in dataclasses.fields(TrainingArguments)}
    new = "activation_checkpointing" in names
    return {"activation_checkpointing" if new else "gradient_checkpointing": False}


#: ``RewardConfig`` settings of every reward model in the book (with ``output_dir`` and
#: ``seed`` set per run): CPU, float32, one batch of 64 pairs a step, nothing saved or logged.
TRAINER_ARGS = dict(
    per_device_train_batch_size=64,
    bf16=False,
    **_checkpointing_off(),
    use_cpu=True,
    save_strategy="no",
    report_to=[],
    logging_strategy="no",
    disable_tqdm=True,
)


def reward_model(tokenizer, *, max_len: int, d_model: int = 64, n_layer: int = 2,
                 n_head: int = 4):
    """A randomly initialised ``GPT2ForSequenceClassification`` with one output (the reward),
    GPT-2's default dropout, and the tokenizer's vocabulary and pad/bos/eos ids. It reads the
    reward off the last non-pad token.

    >>> from rindoku.models import word_tokenizer
    >>> tok = word_tokenizer(["a b c"])
    >>> model = reward_model(tok, max_len=8, d_model=16, n_layer=1, n_head=2)
    >>> model(input_ids=torch.tensor([[4, 5, 3]])).logits.shape
    torch.Size([1, 1])
    """
    from transformers import GPT2Config, GPT2ForSequenceClassification

    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=max_len, n_embd=d_model, n_layer=n_layer,
        n_head=n_head, num_labels=1, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    return GPT2ForSequenceClassification(config)


def train_reward_model(tokenizer, prompts: Sequence[str], chosen: Sequence[str],
                       rejected: Sequence[str], *, seed: int, epochs: float, lr: float,
                       max_len: int | None = None, model=None, d_model: int = 64,
                       n_layer: int = 2, n_head: int = 4, **config):
    """Train a reward model on the pairs ``(prompts[i] + chosen[i], prompts[i] + rejected[i])``
    with TRL's ``RewardTrainer``; return it in eval mode.

    Seeds torch with ``seed``, builds :func:`reward_model` (``max_len``, ``d_model``,
    ``n_layer``, ``n_head``) unless ``model`` is given, and trains for ``epochs`` at learning
    rate ``lr`` with :data:`TRAINER_ARGS` (``config`` overrides or adds ``RewardConfig``
    fields, e.g. ``per_device_train_batch_size=32``). TRL appends the tokenizer's eos token to
    a chosen or rejected text that does not end with it; the book's chapters end them with
    ``" <eos>"`` themselves. Takes seconds for a few thousand pairs.

    >>> # rm = train_reward_model(tok, prompts, [" good <eos>"] * n, [" bad <eos>"] * n,
    >>> #                         seed=run.seed, epochs=3, lr=1e-3, max_len=40)
    >>> # r = rewards(rm, tok, test_prompts, [" fine <eos>"] * len(test_prompts))
    """
    import datasets
    from datasets import Dataset
    from transformers import PrinterCallback
    from trl import RewardConfig, RewardTrainer

    if not len(prompts) == len(chosen) == len(rejected):
        raise ValueError("prompts, chosen and rejected must have the same length")
    if model is None and max_len is None:
        raise ValueError("give max_len (the model's context length) or a model")
    torch.manual_seed(seed)
    if model is None:
        model = reward_model(tokenizer, max_len=max_len, d_model=d_model, n_layer=n_layer,
                             n_head=n_head)
    data = Dataset.from_dict({"prompt": list(prompts), "chosen": list(chosen),
                              "rejected": list(rejected)})
    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # TRL tokenises with Dataset.map, which shows widget bars
    try:
        with tempfile.TemporaryDirectory() as output_dir:
            args = RewardConfig(output_dir=output_dir, seed=seed, num_train_epochs=epochs,
                                learning_rate=lr, **{**TRAINER_ARGS, **config})
            trainer = RewardTrainer(model=model, args=args, train_dataset=data,
                                    processing_class=tokenizer)
            trainer.remove_callback(PrinterCallback)  # with disable_tqdm it prints metrics
            trainer.train()
    finally:
        if bars:
            datasets.enable_progress_bars()
    return model.eval()


@torch.no_grad()
def rewards(model, tokenizer, prompts: Sequence[str], completions: Sequence[str], *,
            batch_size: int | None = None) -> torch.Tensor:
    """The reward model's score of each ``prompt + completion``, a 1-D tensor.

    The texts are encoded as TRL encoded the training pairs (the eos token appended where a
    completion does not end with it), right-padded, in one batch (or batches of
    ``batch_size``).

    >>> from rindoku.models import word_tokenizer
    >>> tok = word_tokenizer(["q good bad"])
    >>> rm = reward_model(tok, max_len=8, d_model=16, n_layer=1, n_head=2).eval()
    >>> rewards(rm, tok, ["q", "q"], [" good <eos>", " bad <eos>"]).shape
    torch.Size([2])
    """
    if len(prompts) != len(completions):
        raise ValueError("prompts and completions must have the same length")
    eos = tokenizer.eos_token
    texts = [p + (c if c.endswith(eos) else c + eos) for p, c in zip(prompts, completions)]
    ids = encode(tokenizer, texts)
    size = batch_size or len(ids)
    out = []
    for lo in range(0, len(ids), size):
        batch, mask = pad_batch(ids[lo : lo + size], tokenizer.pad_token_id)
        out.append(model(input_ids=batch, attention_mask=mask).logits[:, 0])
    return torch.cat(out)
