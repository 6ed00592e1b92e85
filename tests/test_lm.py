import math

import pytest
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
        assert tok.eos_token_id not in s.ids[:-1], "generation stops at the first eos"
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
    # the first greedy token is the argmax, whether or not it is <eos> (which ends the text)
    (sample,) = lm.sample(model, tok, ["<bos> alice"], max_new_tokens=3, greedy=True)
    assert sample.ids[0] == first
    assert sample.text == a[0] and tok.decode(sample.ids, skip_special_tokens=True) == a[0]


OPTIONS = ["tea", "coffee", "juice"]


def test_option_logprobs_are_completion_logprobs(tiny_world):
    tok, model = tiny_world
    prompts = ["<bos> alice likes", "<bos> bob likes"]
    got = lm.option_logprobs(model, tok, prompts, OPTIONS)  # one token each: one pass a prompt
    want = lm.completion_logprobs(model, tok, [p for p in prompts for _ in OPTIONS], OPTIONS * 2)
    assert got.shape == (2, 3) and torch.allclose(got, want.view(2, 3), atol=1e-5)
    # several tokens an option, a list of options per prompt, mean over the tokens
    per_prompt = [["likes tea", "tea"], ["coffee <eos>", "likes"]]
    got = lm.option_logprobs(model, tok, prompts, per_prompt, mean=True)
    per_token = lm.completion_logprobs(model, tok, [prompts[0]] * 2 + [prompts[1]] * 2,
                                       [o for row in per_prompt for o in row], per_token=True)
    assert torch.allclose(got.flatten(), torch.stack([t.mean() for t in per_token]), atol=1e-6)


def test_option_logprobs_normalised_over_both_orders(tiny_world):
    tok, model = tiny_world
    # "prompts" that list two options in one order and in the other, scored by position
    a_first, b_first = ["<bos> tea coffee"], ["<bos> coffee tea"]
    labels = ["alice", "bob"]  # the names of the first and second position
    got = lm.option_logprobs(model, tok, a_first, labels, normalize=True,
                             reversed_prompts=b_first, by_position=True)
    p_fwd = lm.option_logprobs(model, tok, a_first, labels, normalize=True).exp()[0]
    p_rev = lm.option_logprobs(model, tok, b_first, labels, normalize=True).exp()[0]
    # tea is named "alice" in the first order and "bob" in the second
    want = torch.stack([(p_fwd[0] + p_rev[1]) / 2, (p_fwd[1] + p_rev[0]) / 2])
    assert torch.allclose(got.exp()[0], want, atol=1e-6)
    assert math.isclose(got.exp().sum().item(), 1.0, abs_tol=1e-6)
    # options scored by their own text: no flip
    got = lm.option_logprobs(model, tok, a_first, OPTIONS, reversed_prompts=b_first)
    fwd = lm.option_logprobs(model, tok, a_first, OPTIONS)
    rev = lm.option_logprobs(model, tok, b_first, OPTIONS)
    assert torch.allclose(got, ((fwd.exp() + rev.exp()) / 2).log(), atol=1e-6)


def test_option_logprobs_with_an_inserted_embedding(tiny_world):
    tok, model = tiny_world
    table = model.get_input_embeddings().weight.detach()
    alice = table[tok.convert_tokens_to_ids("alice")][None]  # (m=1, d)
    text = lm.option_logprobs(model, tok, ["<bos> alice likes"], OPTIONS)
    soft = lm.option_logprobs(model, tok, ["<bos> likes"], OPTIONS, embeds=alice, embeds_at=1)
    assert torch.allclose(text, soft, atol=1e-5)
    # several-token options through completion_logprobs, the embedding per prompt
    many = ["likes tea", "tea <eos>"]
    text = lm.option_logprobs(model, tok, ["<bos> alice likes", "<bos> alice"], many)
    soft = lm.option_logprobs(model, tok, ["<bos> likes", "<bos>"], many,
                              embeds=alice.expand(2, 1, -1), embeds_at=1)
    assert torch.allclose(text, soft, atol=1e-5)
    # differentiable for a training loss
    vector = alice.clone().requires_grad_(True)
    loss = -lm.option_logprobs(model, tok, ["<bos> likes"], OPTIONS, embeds=vector,
                               embeds_at=1, normalize=True, grad=True)[0, 0]
    loss.backward()
    assert vector.grad is not None and vector.grad.abs().sum() > 0


def test_option_logprobs_rejects_ragged_options(tiny_world):
    import pytest

    tok, model = tiny_world
    with pytest.raises(ValueError):
        lm.option_logprobs(model, tok, ["<bos> alice", "<bos> bob"], [["tea"], ["tea", "coffee"]])


class _TemplateTokenizer:
    """Stands in for a chat tokenizer: its template writes each turn as '<role>content</role>'."""

    def apply_chat_template(self, messages, *, tokenize, add_generation_prompt):
        assert tokenize is False
        text = "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages)
        return text + ("<assistant>" if add_generation_prompt else "")


def test_chat_prompt_wraps_one_user_turn_and_keeps_a_list_of_turns():
    tok = _TemplateTokenizer()
    assert lm.chat_prompt(tok, "Is a tomato a fruit?") == "<user>Is a tomato a fruit?</user><assistant>"
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
             {"role": "user", "content": "Bye"}]
    assert lm.chat_prompt(tok, turns) == "<user>Hi</user><assistant>Hello</assistant><user>Bye</user><assistant>"
    assert lm.chat_prompt(tok, "Q", system="Be brief.") == "<system>Be brief.</system><user>Q</user><assistant>"
    with pytest.raises(ValueError, match="ends with a user message"):
        lm.chat_prompt(tok, turns[:2])
