import pytest
import torch

from rindoku import models


def test_word_tokenizer_round_trip_and_specials():
    tok = models.word_tokenizer(["the cat sat", "a dog"], extra_words=["zebra"])
    assert tok.convert_ids_to_tokens([0, 1, 2, 3]) == ["<pad>", "<unk>", "<bos>", "<eos>"]
    assert tok.pad_token_id == 0 and tok.bos_token_id == 2 and tok.eos_token_id == 3
    ids = tok("the zebra sat", add_special_tokens=False)["input_ids"]
    assert len(ids) == 3 and tok.unk_token_id not in ids
    assert tok.decode(ids) == "the zebra sat"
    assert tok("unknownword")["input_ids"] == [tok.unk_token_id]
    assert tok.decode([2, *ids, 3], skip_special_tokens=True) == "the zebra sat"


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_tiny_causal_lm_shapes_and_special_ids(arch):
    tok = models.word_tokenizer(["a b c"])
    model = models.tiny_causal_lm(len(tok), arch=arch, n_layer=1, d_model=32, n_head=2, max_len=8, tokenizer=tok)
    out = model(input_ids=torch.tensor([[2, 4, 5]]), labels=torch.tensor([[2, 4, 5]]))
    assert out.logits.shape == (1, 3, len(tok)) and out.loss.ndim == 0
    assert model.config.eos_token_id == tok.eos_token_id
    assert models.count_parameters(model) > 0


def test_tiny_causal_lm_untied_has_more_parameters():
    tied = models.tiny_causal_lm(100, n_layer=1, d_model=16, n_head=2)
    untied = models.tiny_causal_lm(100, n_layer=1, d_model=16, n_head=2, tie_word_embeddings=False)
    assert models.count_parameters(untied) - models.count_parameters(tied) == 100 * 16


def test_unknown_arch():
    with pytest.raises(ValueError, match="arch"):
        models.tiny_causal_lm(10, arch="rnn")


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("RINDOKU_CACHE", str(tmp_path))
    assert models.cache_dir() == tmp_path
