from rindoku import corpus


def test_stdlib_text_is_deterministic_and_bounded():
    a = corpus.stdlib_text("prose", max_chars=20_000, seed=1)
    b = corpus.stdlib_text("prose", max_chars=20_000, seed=1)
    c = corpus.stdlib_text("prose", max_chars=20_000, seed=2)
    assert a == b and a != c and len(a) <= 20_000 and len(a) > 15_000
    code = corpus.stdlib_text("code", max_chars=20_000)
    assert "import" in code and "def " in code


def test_stdlib_prose_is_docstrings_not_code():
    docs = corpus.stdlib_documents("prose")[:200]
    assert sum("def " in d for d in docs) < 0.2 * len(docs)


def test_train_bpe_round_trips_and_split_digits_changes_numbers():
    texts = [corpus.stdlib_text("prose", max_chars=30_000), "12345 67890 " * 200]
    plain = corpus.train_bpe(texts, vocab_size=400)
    split = corpus.train_bpe(texts, vocab_size=400, split_digits=True)
    sample = "Return the value of x + 12345 for the given key."
    for tok in (plain, split):
        assert tok.decode(tok(sample)["input_ids"]) == sample
        assert tok.eos_token == corpus.EOT and tok.pad_token_id == tok.eos_token_id
    assert len(split("12345")["input_ids"]) == 5 < 5 + len(plain("12345")["input_ids"])
    assert corpus.bytes_per_token(plain, ["12345 67890"]) > corpus.bytes_per_token(split, ["12345 67890"])


def test_bigger_vocabulary_compresses_more():
    text = corpus.stdlib_text("prose", max_chars=60_000)
    small = corpus.train_bpe([text], vocab_size=300)
    large = corpus.train_bpe([text], vocab_size=2000)
    held_out = [corpus.stdlib_text("prose", max_chars=10_000, seed=5)]
    assert corpus.bytes_per_token(large, held_out) > corpus.bytes_per_token(small, held_out)
