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
