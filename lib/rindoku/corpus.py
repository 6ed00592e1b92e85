"""Real text that is on every machine offline, and BPE tokenizers trained on it.

The Python standard library ships with every Python, so its sources are a corpus that needs no
download: docstrings are English prose, the code is code. Chapters that train a small language
model on "real" text (long-context chapters, tokenizer comparisons) take it from here.

The text depends on the Python version (the standard library changes a little between
releases), so a chapter's numbers can move slightly between Python versions; the files are
read in sorted order and shuffled with a seed, so one Python version gives the same text.
"""

from __future__ import annotations

import ast
import functools
import random
import sysconfig
import warnings
from collections.abc import Iterable
from pathlib import Path

EOT = "<|endoftext|>"


def stdlib_files() -> list[Path]:
    """The standard library's ``.py`` files (tests, IDLE, tkinter and site-packages left out),
    in sorted order.

    >>> any(p.name == "json" or p.parent.name == "json" for p in stdlib_files())
    True
    """
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = {"test", "tests", "idlelib", "tkinter", "turtledemo", "site-packages", "lib2to3",
            "ensurepip", "__pycache__", "dist-packages"}
    files = [p for p in root.rglob("*.py")
             if not skip.intersection(p.relative_to(root).parts[:-1])
             and not p.name.startswith("test_")]
    return sorted(files)


def _docstrings(source: str) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=True)
            if doc and len(doc) >= 40:
                out.append(doc)
    return out


def stdlib_documents(kind: str = "prose", seed: int = 0) -> list[str]:
    """Documents from the standard library: ``kind="prose"`` gives docstrings (one document
    each, at least 40 characters), ``kind="code"`` gives whole source files. Shuffled with
    ``seed``.

    >>> docs = stdlib_documents("prose")
    >>> len(docs) > 1000 and all(len(d) >= 40 for d in docs)
    True
    """
    if kind not in ("prose", "code"):
        raise ValueError(f"kind must be 'prose' or 'code', got {kind!r}")
    docs = list(_read_documents(kind))
    random.Random(seed).shuffle(docs)
    return docs


@functools.lru_cache(maxsize=2)
def _read_documents(kind: str) -> tuple[str, ...]:
    docs: list[str] = []
    for path in stdlib_files():
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if kind == "prose":
            docs.extend(_docstrings(source))
        elif source.strip():
            docs.append(source)
    return tuple(docs)


def stdlib_text(kind: str = "prose", max_chars: int = 1_000_000, seed: int = 0) -> str:
    """Up to ``max_chars`` characters of standard-library ``kind`` text (see
    :func:`stdlib_documents`), documents joined by blank lines.

    >>> text = stdlib_text("code", max_chars=5000)
    >>> 0 < len(text) <= 5000 and ("def " in text or "class " in text)
    True
    """
    parts, total = [], 0
    for doc in stdlib_documents(kind, seed):
        if total >= max_chars:
            break
        piece = doc[: max_chars - total]
        parts.append(piece)
        total += len(piece) + 2
    return "\n\n".join(parts)[:max_chars]


def train_bpe(texts: Iterable[str], vocab_size: int, *, split_digits: bool = False,
              min_frequency: int = 2):
    """A byte-level BPE tokenizer trained with ``tokenizers``, wrapped as a transformers
    ``PreTrainedTokenizerFast`` with ``<|endoftext|>`` as its end-of-text (and padding) token.

    ``split_digits=True`` splits every digit into its own pre-token before BPE (as LLaMA and
    Qwen do), so numbers are never merged into multi-digit tokens.

    >>> tok = train_bpe(["the cat sat on the mat 12345"] * 20, vocab_size=300)
    >>> tok.decode(tok("the cat 12345")["input_ids"])
    'the cat 12345'
    >>> digits = train_bpe(["the cat sat on the mat 12345"] * 20, 300, split_digits=True)
    >>> len(digits("12345")["input_ids"])
    5
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    if split_digits:
        core.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), byte_level])
    else:
        core.pre_tokenizer = byte_level
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=[EOT], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    core.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token=EOT, pad_token=EOT)


def bytes_per_token(tokenizer, texts: Iterable[str]) -> float:
    """UTF-8 bytes per token of ``tokenizer`` on ``texts`` (higher = more compression).

    >>> tok = train_bpe(["aaaa bbbb"] * 50, vocab_size=270)
    >>> bytes_per_token(tok, ["aaaa bbbb"]) > 1.0
    True
    """
    n_bytes = n_tokens = 0
    for text in texts:
        n_bytes += len(text.encode("utf-8"))
        n_tokens += len(tokenizer(text, add_special_tokens=False)["input_ids"])
    if n_tokens == 0:
        raise ValueError("no tokens: texts are empty")
    return n_bytes / n_tokens
