import math

import torch

from rindoku import lm


def test_pad_batch():
    ids, mask = lm.pad_batch([[1, 2], [3]], pad_id=0)
    assert ids.tolist() == [[1, 2], [3, 0]] and mask.tolist() == [[1, 1], [1, 0]]


def manual_logprob(model, tok, prompt, completion):
    p = tok(prompt, add_special_tokens=False)["input_ids"]
    c = tok(completion, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([p + c])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=ids).logits[0], -1)
    return sum(logp[len(p) - 1 + i, t].item() for i, t in enumerate(c))


def test_completion_logprobs_match_manual_and_ignore_padding(tiny_world):
    tok, model = tiny_world
    prompts = ["<bos> alice likes", "<bos> bob", "<bos> carol likes tea"]
    completions = ["tea", "likes coffee", "<eos>"]
    got = lm.completion_logprobs(model, tok, prompts, completions, batch_size=2)
    want = [manual_logprob(model, tok, p, c) for p, c in zip(prompts, completions)]
    assert torch.allclose(got, torch.tensor(want), atol=1e-4)
    per_token = lm.completion_logprobs(model, tok, prompts, completions, per_token=True)
    assert [len(t) for t in per_token] == [1, 2, 1]
    assert math.isclose(per_token[1].sum().item(), want[1], abs_tol=1e-4)


def test_token_logprobs_is_differentiable(tiny_world):
    tok, model = tiny_world
    ids, mask = lm.pad_batch(lm.encode(tok, ["<bos> alice likes tea"]), tok.pad_token_id)
    out = lm.token_logprobs(model, ids, mask)
    assert out.shape == (1, 3) and out.requires_grad
    out.sum().backward()


def test_sample_logprobs_are_the_models_own(tiny_world):
    tok, model = tiny_world
    torch.manual_seed(0)
    prompts = ["<bos> alice", "<bos> bob likes", "<bos> carol"]
    samples = lm.sample(model, tok, prompts, max_new_tokens=5, temperature=0.7)
    assert [s.prompt for s in samples] == prompts
    for s in samples:
        assert 1 <= len(s.ids) <= 5 and len(s.logprobs) == len(s.ids)
        if tok.eos_token_id in s.ids:
            assert s.ids.index(tok.eos_token_id) == len(s.ids) - 1
        completion = tok.decode(s.ids)
        assert math.isclose(s.logprob, manual_logprob(model, tok, s.prompt, completion), abs_tol=1e-3)


def test_greedy_is_deterministic_and_matches_argmax(tiny_world):
    tok, model = tiny_world
    a = lm.greedy(model, tok, ["<bos> alice", "<bos> bob likes"], max_new_tokens=3)
    b = lm.greedy(model, tok, ["<bos> alice", "<bos> bob likes"], max_new_tokens=3)
    assert a == b
    ids = torch.tensor([tok("<bos> alice", add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        first = model(input_ids=ids).logits[0, -1].argmax().item()
    if first != tok.eos_token_id:
        assert a[0].split()[0] == tok.convert_ids_to_tokens(first)
