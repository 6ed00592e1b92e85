"""Rindoku: the small helper library shared by the chapters of the Rindoku book.

Every chapter imports it the same way::

    import rindoku
    run = rindoku.start("07_reversal_curse")   # seed, threads, banner, timer, claims

One module per concern:

- :mod:`rindoku.env`      seeding (``RINDOKU_SEED``), threads, the environment banner
- :mod:`rindoku.models`   word-level tokenizers, tiny transformers, the offline SmolLM2
- :mod:`rindoku.lm`       log-probabilities of completions, sampling, greedy decoding
- :mod:`rindoku.training` a small causal-LM training loop with a progress bar
- :mod:`rindoku.corpus`   standard-library text (offline) and BPE tokenizers trained on it
- :mod:`rindoku.plotting` the house plot style and a loss-curve plot
- :mod:`rindoku.claims`   claims (value, comparison, threshold), the "paper vs ours" table,
  results files, and seed-sweep summaries (``tools/sweep.py``, ``make seeds``)
"""

__version__ = "0.1.0"

from rindoku.claims import Chapter, Claim, start  # noqa: E402

__all__ = ["Chapter", "Claim", "start", "__version__"]
