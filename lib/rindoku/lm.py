"""Language-model utilities several chapters share: token and completion log-probabilities,
scores of a closed set of options, sampling with per-token log-probabilities, and greedy
completion.

Prompts and completions are tokenised separately (no special tokens added) and concatenated,
so ``log p(completion | prompt)`` scores exactly the completion's tokens. With a word-level
tokenizer that is exact; with a BPE tokenizer start completions with a space.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import torch


def encode(tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """Token ids of each text, with no special tokens added."""
    return tokenizer(list(texts), add_special_tokens=False)["input_ids"]


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad id lists into ``(input_ids, attention_mask)`` tensors.

    >>> ids, mask = pad_batch([[5, 6, 7], [8]], pad_id=0)
    >>> ids.tolist(), mask.tolist()
    ([[5, 6, 7], [8, 0, 0]], [[1, 1, 1], [1, 0, 0]])
    """
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
        mask[row, : len(seq)] = 1
    return ids, mask


def token_logprobs(model, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """``log p(x_t | x_<t)`` for t = 1..T-1, shape ``(batch, T-1)``; differentiable.

    Use it inside a training step (policy gradients, GFlowNet losses); for evaluation use
    :func:`completion_logprobs`, which also batches and disables gradients.
    """
    logits = model(input_ids=input_ids, attention_mask=attention_mask).logits[:, :-1]
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, input_ids[:, 1:, None]).squeeze(-1)


def completion_logprobs(model, tokenizer, prompts: Sequence[str], completions: Sequence[str], *,
                        batch_size: int = 64, per_token: bool = False,
                        embeds: torch.Tensor | None = None, embeds_at: int = 0,
                        grad: bool = False):
    """``log p(completion | prompt)`` for each pair, summed over the completion's tokens.

    With ``per_token=True`` returns a list of 1-D tensors (one log-prob per completion
    token) instead of a tensor of sums. Prompts must be non-empty. ``embeds`` (shape
    ``(m, d)`` for every prompt, or ``(len(prompts), m, d)``) are input vectors inserted
    before token ``embeds_at`` of each prompt (0: before the first; the model must take
    ``inputs_embeds``), e.g. a soft prompt. ``grad=True`` keeps the computation graph (for a
    training loss); by default gradients are off and the model is in eval mode meanwhile.

    >>> # lp = completion_logprobs(model, tok, ["Paris is the capital of"], [" France"])
    """
    if len(prompts) != len(completions):
        raise ValueError("prompts and completions must have the same length")
    prompt_ids, completion_ids = encode(tokenizer, prompts), encode(tokenizer, completions)
    if any(len(p) == 0 for p in prompt_ids):
        raise ValueError("every prompt needs at least one token")
    embeds = _per_row(embeds, len(prompts))
    shift = 0 if embeds is None else embeds.shape[1]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    results: list[torch.Tensor] = []
    was_training = model.training
    model.eval()
    with torch.set_grad_enabled(grad):
        for lo in range(0, len(prompt_ids), batch_size):
            chunk = list(zip(prompt_ids[lo : lo + batch_size], completion_ids[lo : lo + batch_size]))
            ids, mask = pad_batch([p + c for p, c in chunk], pad_id)
            if embeds is None:
                logp = token_logprobs(model, ids, mask)
            else:
                logp = _token_logprobs_with_embeds(model, ids, mask, embeds[lo : lo + batch_size],
                                                   embeds_at)
            for row, (p, c) in enumerate(chunk):
                # token at position t is predicted by logp[:, t-1]
                start = len(p) + shift - 1
                results.append(logp[row, start : start + len(c)].clone())
    model.train(was_training)
    if per_token:
        return results
    return torch.stack([r.sum() for r in results])


def _per_row(embeds: torch.Tensor | None, n: int) -> torch.Tensor | None:
    if embeds is None:
        return None
    if embeds.dim() == 2:
        return embeds.expand(n, *embeds.shape)
    if embeds.dim() != 3 or embeds.shape[0] != n:
        raise ValueError(f"embeds must have shape (m, d) or ({n}, m, d), not {tuple(embeds.shape)}")
    return embeds


def _with_embeds(model, ids, mask, embeds, at):
    """Input vectors and attention mask with ``embeds`` inserted before token ``at``."""
    if not 0 <= at <= ids.shape[1]:
        raise ValueError(f"embeds_at={at} is outside the prompt")
    vectors = model.get_input_embeddings()(ids)
    embeds = embeds.to(vectors.dtype)
    vectors = torch.cat([vectors[:, :at], embeds, vectors[:, at:]], dim=1)
    ones = torch.ones(embeds.shape[:2], dtype=mask.dtype)
    return vectors, torch.cat([mask[:, :at], ones, mask[:, at:]], dim=1)


def _token_logprobs_with_embeds(model, ids, mask, embeds, at):
    vectors, mask = _with_embeds(model, ids, mask, embeds, at)
    logits = model(inputs_embeds=vectors, attention_mask=mask).logits[:, :-1]
    # the targets: the tokens, with a placeholder where the inserted vectors are
    filler = torch.zeros(embeds.shape[:2], dtype=ids.dtype)
    targets = torch.cat([ids[:, :at], filler, ids[:, at:]], dim=1)[:, 1:]
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, targets[..., None]).squeeze(-1)


def option_logprobs(model, tokenizer, prompts: Sequence[str], options: Sequence, *,
                    normalize: bool = False, mean: bool = False,
                    reversed_prompts: Sequence[str] | None = None, by_position: bool = False,
                    embeds: torch.Tensor | None = None, embeds_at: int = 0,
                    grad: bool = False, batch_size: int = 64) -> torch.Tensor:
    """Score a closed set of options after each prompt: ``log p(option | prompt)``, shape
    ``(len(prompts), k)``.

    ``options`` is one list of k strings for every prompt, or one list of k per prompt
    (start each with a space for a BPE tokenizer). ``mean=True`` averages the log-prob over
    the option's tokens instead of summing it; ``normalize=True`` turns the scores into a
    distribution over the k options (log-softmax across them: the model's choice among the
    options, whatever mass it puts elsewhere).

    Where the prompt lists the options, give ``reversed_prompts``, the same prompts with the
    options listed in reverse order, to average out a preference for a position: the result
    is then the log of the mean probability over both orders (normalised per order first if
    ``normalize``). With ``by_position=True`` the scored strings ``options`` are the labels
    of the positions in the list (``["A", "B"]``): column j is the option listed j-th in
    ``prompts``, which ``reversed_prompts`` name by ``options[k - 1 - j]``.

    ``embeds`` (``(m, d)``, or ``(len(prompts), m, d)``) are input vectors inserted before
    token ``embeds_at`` of each prompt, e.g. a soft prompt; ``grad=True`` keeps the graph for
    a training loss. When every option is one token (and no order is reversed), each prompt
    is run once and the options are read off its next-token distribution.
    Built on :func:`completion_logprobs`.

    >>> # the judge's probability that the step is true, of the two options
    >>> # p_true = option_logprobs(smol, tok, [chat], [" true", " false"], normalize=True).exp()[0, 0]
    >>> # averaged over both orders of the listed options (A first, then B first)
    >>> # lp = option_logprobs(smol, tok, a_first, ["A", "B"], reversed_prompts=b_first,
    >>> #                      by_position=True, normalize=True)
    """
    n = len(prompts)
    per_prompt = [list(options)] * n if options and isinstance(options[0], str) else [list(o) for o in options]
    if len(per_prompt) != n or len({len(o) for o in per_prompt}) > 1:
        raise ValueError("give one list of options, or one list of k options per prompt")
    k = len(per_prompt[0]) if per_prompt else 0
    if reversed_prompts is not None:
        if len(reversed_prompts) != n:
            raise ValueError("reversed_prompts must match prompts")
        forward = _option_scores(model, tokenizer, prompts, per_prompt, k, mean, normalize,
                                 embeds, embeds_at, grad, batch_size, single_ok=False)
        backward = _option_scores(model, tokenizer, reversed_prompts, per_prompt, k, mean,
                                  normalize, embeds, embeds_at, grad, batch_size, single_ok=False)
        if by_position:
            backward = backward.flip(-1)
        return torch.logsumexp(torch.stack([forward, backward]), 0) - math.log(2)
    return _option_scores(model, tokenizer, prompts, per_prompt, k, mean, normalize, embeds,
                          embeds_at, grad, batch_size, single_ok=True)


def _option_scores(model, tokenizer, prompts, per_prompt, k, mean, normalize, embeds, embeds_at,
                   grad, batch_size, single_ok):
    n = len(prompts)
    option_ids = [encode(tokenizer, o) for o in per_prompt]
    if any(len(t) == 0 for row in option_ids for t in row):
        raise ValueError("every option needs at least one token")
    embeds = _per_row(embeds, n)
    if single_ok and all(len(t) == 1 for row in option_ids for t in row):
        scores = _next_token_logprobs(model, tokenizer, prompts, embeds, embeds_at, grad,
                                      batch_size)
        scores = scores.gather(1, torch.tensor([[t[0] for t in row] for row in option_ids]))
    else:
        flat_embeds = None if embeds is None else embeds.repeat_interleave(k, 0)
        per_token = completion_logprobs(model, tokenizer, [p for p in prompts for _ in range(k)],
                                        [o for row in per_prompt for o in row],
                                        batch_size=batch_size, per_token=True,
                                        embeds=flat_embeds, embeds_at=embeds_at, grad=grad)
        scores = torch.stack([t.mean() if mean else t.sum() for t in per_token]).view(n, k)
    return torch.log_softmax(scores, -1) if normalize else scores


def _next_token_logprobs(model, tokenizer, prompts, embeds, embeds_at, grad, batch_size):
    """``log p(next token | prompt)`` over the vocabulary, one row per prompt."""
    prompt_ids = encode(tokenizer, prompts)
    if any(len(p) == 0 for p in prompt_ids):
        raise ValueError("every prompt needs at least one token")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    rows = []
    was_training = model.training
    model.eval()
    with torch.set_grad_enabled(grad):
        for lo in range(0, len(prompt_ids), batch_size):
            ids, mask = pad_batch(prompt_ids[lo : lo + batch_size], pad_id)
            if embeds is not None:
                vectors, mask = _with_embeds(model, ids, mask, embeds[lo : lo + batch_size], embeds_at)
                logits = model(inputs_embeds=vectors, attention_mask=mask).logits
            else:
                logits = model(input_ids=ids, attention_mask=mask).logits
            last = logits[torch.arange(len(ids)), mask.sum(1) - 1].float()
            rows.append(torch.log_softmax(last, -1))
    model.train(was_training)
    return torch.cat(rows)


@dataclass
class Sample:
    """One sampled continuation: its text, token ids and per-token log-probabilities under
    the model (temperature 1, whatever temperature it was sampled at)."""

    prompt: str
    text: str
    ids: list[int]
    logprobs: torch.Tensor

    @property
    def logprob(self) -> float:
        return float(self.logprobs.sum())


@torch.no_grad()
def sample(model, tokenizer, prompts: Sequence[str], *, max_new_tokens: int, temperature: float = 1.0,
           top_k: int = 0, greedy: bool = False, batch_size: int = 64, stop_at_eos: bool = True,
           generator: torch.Generator | None = None) -> list[Sample]:
    """Sample a continuation of each prompt, with a KV cache, returning :class:`Sample`s in the
    order of ``prompts``.

    Prompts are grouped by token length so that no padding is ever needed (this keeps absolute
    and rotary positions right for every architecture). Generation of a row stops after the
    eos token (included in ``ids`` and ``logprobs``, not in ``text``) or ``max_new_tokens``.
    ``temperature`` and ``top_k`` shape the sampling distribution only; ``logprobs`` are always
    the model's own (temperature 1).
    """
    if not greedy and temperature <= 0:
        raise ValueError("temperature must be positive (or use greedy=True)")
    prompt_ids = encode(tokenizer, prompts)
    groups: dict[int, list[int]] = defaultdict(list)
    for index, ids in enumerate(prompt_ids):
        if not ids:
            raise ValueError("every prompt needs at least one token")
        groups[len(ids)].append(index)
    eos = tokenizer.eos_token_id if stop_at_eos else None
    out: list[Sample | None] = [None] * len(prompts)
    was_training = model.training
    model.eval()
    for length, members in sorted(groups.items()):
        for lo in range(0, len(members), batch_size):
            rows = members[lo : lo + batch_size]
            ids = torch.tensor([prompt_ids[i] for i in rows], dtype=torch.long)
            new_ids, new_logps = _decode_batch(model, ids, max_new_tokens, temperature, top_k,
                                               greedy, eos, generator)
            for k, i in enumerate(rows):
                n = _length_until_eos(new_ids[k], eos)
                token_ids = new_ids[k, :n].tolist()
                text_ids = token_ids[:-1] if (eos is not None and token_ids and token_ids[-1] == eos) else token_ids
                out[i] = Sample(prompts[i], tokenizer.decode(text_ids, skip_special_tokens=True),
                                token_ids, new_logps[k, :n].clone())
    model.train(was_training)
    return out  # type: ignore[return-value]


def _length_until_eos(row: torch.Tensor, eos: int | None) -> int:
    if eos is None:
        return len(row)
    hits = (row == eos).nonzero()
    return int(hits[0]) + 1 if len(hits) else len(row)


def _decode_batch(model, ids, max_new_tokens, temperature, top_k, greedy, eos, generator):
    batch = ids.shape[0]
    new_ids = torch.zeros((batch, max_new_tokens), dtype=torch.long)
    new_logps = torch.zeros((batch, max_new_tokens))
    done = torch.zeros(batch, dtype=torch.bool)
    past, current = None, ids
    # No row is ever padded (prompts are grouped by length), so the mask is all ones; passing it
    # tells transformers so.
    mask = torch.ones_like(ids)
    for step in range(max_new_tokens):
        output = model(input_ids=current, attention_mask=mask, past_key_values=past, use_cache=True)
        mask = torch.cat([mask, torch.ones((batch, 1), dtype=mask.dtype)], dim=1)
        past = output.past_key_values
        logits = output.logits[:, -1].float()
        logp = torch.log_softmax(logits, dim=-1)
        if greedy:
            token = logits.argmax(-1)
        else:
            scaled = logits / temperature
            if top_k:
                kth = scaled.topk(top_k, dim=-1).values[:, -1:]
                scaled = scaled.masked_fill(scaled < kth, float("-inf"))
            token = torch.multinomial(torch.softmax(scaled, dim=-1), 1, generator=generator).squeeze(-1)
        new_ids[:, step] = torch.where(done, torch.zeros_like(token), token)
        new_logps[:, step] = torch.where(done, torch.zeros(batch), logp.gather(-1, token[:, None]).squeeze(-1))
        if eos is not None:
            done |= token == eos
            if bool(done.all()):
                return new_ids[:, : step + 1], new_logps[:, : step + 1]
        current = token[:, None]
    return new_ids, new_logps


def greedy(model, tokenizer, prompts: Sequence[str], *, max_new_tokens: int, batch_size: int = 64) -> list[str]:
    """Greedy (argmax) completion of each prompt; returns the completion texts.

    >>> # greedy(model, tok, ["<bos> Daphne Barrington is"], max_new_tokens=8)
    """
    return [s.text for s in sample(model, tokenizer, prompts, max_new_tokens=max_new_tokens,
                                   greedy=True, batch_size=batch_size)]


def chat_prompt(tokenizer, turns, *, system: str | None = None) -> str:
    """The text an instruction-tuned model is prompted with for a chat, ending where the
    assistant's reply begins (the tokenizer's own chat template, not tokenised).

    ``turns`` is one user message (a string) or a list of ``{"role", "content"}`` messages;
    ``system`` prepends a system message.

    >>> # chat_prompt(tok, "Is a tomato a fruit?")
    >>> # chat_prompt(tok, [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
    >>> #                   {"role": "user", "content": "Is a tomato a fruit?"}])
    """
    messages = [{"role": "user", "content": turns}] if isinstance(turns, str) else list(turns)
    if not messages or messages[-1].get("role") != "user":
        raise ValueError("a chat prompt ends with a user message")
    if system is not None:
        messages = [{"role": "system", "content": system}] + messages
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
