import torch

from rindoku import lm, models, training


def test_tokenize_examples_masks_the_prompt():
    tok = models.word_tokenizer(["q a"])
    ids, masks = training.tokenize_examples(tok, ["q a", ("q", "a")])
    assert tok.convert_ids_to_tokens(ids[0]) == ["<bos>", "q", "a", "<eos>"]
    assert masks[0] == [0, 1, 1, 1] and masks[1] == [0, 0, 1, 1]


def test_training_memorises_a_tiny_corpus():
    torch.manual_seed(0)
    texts = ["alice likes tea", "bob likes coffee", "carol likes juice"]
    tok = models.word_tokenizer(texts)
    model = models.tiny_causal_lm(len(tok), n_layer=1, d_model=32, n_head=2, max_len=16, tokenizer=tok)
    pairs = [(t.rsplit(" ", 1)[0], t.rsplit(" ", 1)[1]) for t in texts]
    losses = training.train_causal_lm(model, tok, pairs, steps=150, batch_size=3, lr=1e-2, progress=False)
    assert len(losses) == 150 and losses[-1] < 0.1 * losses[0]
    assert lm.greedy(model, tok, ["<bos> bob likes"], max_new_tokens=1) == ["coffee"]
    assert not model.training


def test_epochs_or_steps():
    import pytest

    tok = models.word_tokenizer(["a b"])
    model = models.tiny_causal_lm(len(tok), n_layer=1, d_model=16, n_head=2, max_len=8)
    with pytest.raises(ValueError):
        training.train_causal_lm(model, tok, ["a b"], progress=False)
    assert len(training.train_causal_lm(model, tok, ["a b"] * 10, epochs=2, batch_size=4, progress=False)) == 6


def _old_train_causal_lm(model, tokenizer, examples, *, epochs=None, steps=None, batch_size=64,
                         lr=3e-3, weight_decay=0.01, warmup_frac=0.05, add_bos=True, add_eos=True):
    """The text trainer as it was before it was rebuilt on ``fit`` (copied verbatim, minus
    the progress bar): the reference that pins the rebuilt one to identical numbers."""
    import math

    from transformers import get_cosine_schedule_with_warmup

    ids, masks = training.tokenize_examples(tokenizer, examples, add_bos=add_bos, add_eos=add_eos)
    n = len(ids)
    per_epoch = math.ceil(n / batch_size)
    total = steps if steps is not None else max(1, round(epochs * per_epoch))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = get_cosine_schedule_with_warmup(optimizer, int(warmup_frac * total), total)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    losses = []
    order = torch.randperm(n)
    cursor = 0
    model.train()
    for _ in range(total):
        if cursor >= n:
            order, cursor = torch.randperm(n), 0
        rows = order[cursor : cursor + batch_size].tolist()
        cursor += batch_size
        batch_ids, attention = lm.pad_batch([ids[r] for r in rows], pad_id)
        loss_mask, _ = lm.pad_batch([masks[r] for r in rows], 0)
        labels = batch_ids.masked_fill(loss_mask == 0, -100)
        loss = model(input_ids=batch_ids, attention_mask=attention, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    model.eval()
    return losses


def _run_trainer(trainer, **kwargs):
    """Train a fresh dropout model with ``trainer``; return losses, weights and the RNG state
    after training (so that the next draw of the chapter is pinned too)."""
    import copy

    texts = ["alice likes tea", "bob likes coffee", "carol likes juice", "dan likes milk",
             "eve likes water"]
    tok = models.word_tokenizer(texts)
    torch.manual_seed(1)
    model = models.tiny_causal_lm(len(tok), n_layer=1, d_model=32, n_head=2, max_len=16,
                                  tokenizer=tok, dropout=0.1)
    examples = texts[:2] + [tuple(t.rsplit(" ", 1)) for t in texts[2:]]
    torch.manual_seed(7)
    losses = trainer(model, tok, examples, batch_size=2, lr=1e-2, **kwargs)
    return losses, copy.deepcopy(model.state_dict()), torch.get_rng_state(), model.training


def test_train_causal_lm_gives_the_numbers_of_the_old_trainer():
    for kwargs in (dict(steps=13), dict(epochs=3.5), dict(steps=6, add_eos=False, warmup_frac=0.3)):
        old = _run_trainer(_old_train_causal_lm, **kwargs)
        new = _run_trainer(training.train_causal_lm, progress=False, **kwargs)
        assert new[0] == old[0]  # bit-identical losses
        assert all(torch.equal(new[1][k], old[1][k]) for k in old[1])
        assert torch.equal(new[2], old[2]) and new[3] is old[3] is False


def test_fit_takes_a_sampler_or_an_iterable_and_calls_back():
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    x = torch.randn(64, 2)
    y = x @ torch.tensor([[1.0], [-2.0]])
    seen = []
    losses = training.fit(model, lambda m, b: ((m(b[0]) - b[1]) ** 2).mean(), lambda: (x, y),
                          steps=150, lr=0.05, warmup=10, progress=False,
                          callback=lambda step, loss: seen.append((step, model.training)))
    assert len(losses) == 150 and losses[-1] < 1e-3 * losses[0]
    assert seen[0] == (1, True) and seen[-1][0] == 150 and not model.training
    # a list of batches, a constant schedule and no clipping; too few batches is an error
    model = torch.nn.Linear(2, 1)
    batches = [(x[i : i + 8], y[i : i + 8]) for i in range(0, 64, 8)]
    mse = lambda m, b: ((m(b[0]) - b[1]) ** 2).mean()  # noqa: E731
    assert len(training.fit(model, mse, batches, steps=8, schedule="constant", clip=None,
                            progress=False)) == 8
    import pytest

    with pytest.raises(ValueError, match="ran out"):
        training.fit(model, mse, batches, steps=9, progress=False)
    with pytest.raises(ValueError, match="schedule"):
        training.fit(model, mse, batches, steps=1, schedule="linear", progress=False)


def test_fit_warmup_as_fraction_or_steps_and_a_shared_bar():
    def run(warmup, bar=None):
        torch.manual_seed(0)
        model = torch.nn.Linear(1, 1)
        return training.fit(model, lambda m, b: ((m(b) - 1) ** 2).mean(),
                            lambda: torch.ones(4, 1), steps=10, lr=0.1, warmup=warmup,
                            bar=bar, progress=False)

    import io

    from tqdm import tqdm

    bar = tqdm(total=20, file=io.StringIO())
    a, b = run(0.2, bar), run(2, bar)
    assert a == b and bar.n == 20  # the shared bar advanced by both runs, not closed
    assert run(0.2) != run(5)


def test_fit_records_the_value_a_loss_function_returns_beside_the_loss():
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)

    def loss(m, b):
        task = ((m(b) - 1) ** 2).mean()
        return task + 0.1 * m.weight.pow(2).sum(), task

    recorded = training.fit(model, loss, lambda: torch.ones(4, 1), steps=5, progress=False)
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    plain = training.fit(model, lambda m, b: loss(m, b)[0], lambda: torch.ones(4, 1), steps=5,
                         progress=False)
    assert recorded[0] < plain[0]  # the task term alone, without the penalty
