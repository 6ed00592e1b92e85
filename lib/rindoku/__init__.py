"""Rindoku: the small helper library shared by the chapters of the Rindoku book.

Every chapter imports it the same way::

    import rindoku
    run = rindoku.start("07_reversal_curse")   # seed, threads, banner, timer, claims

One module per concern:

- :mod:`rindoku.env`        ``start()``: seeding (``RINDOKU_SEED``), threads, the banner
- :mod:`rindoku.models`     word-level tokenizers, tiny transformers, the offline SmolLM2
- :mod:`rindoku.lm`         log-probabilities of completions, option scoring, sampling,
  greedy decoding
- :mod:`rindoku.training`   the training loop (``fit``) and the causal-LM trainer on it
- :mod:`rindoku.reward`     reward models trained with TRL's RewardTrainer
- :mod:`rindoku.progress`   the book's progress bar
- :mod:`rindoku.corpus`     standard-library text (offline) and BPE tokenizers trained on it
- :mod:`rindoku.plotting`   the house plot style and a loss-curve plot
- :mod:`rindoku.formatting` how the book writes a number, in every table and page
- :mod:`rindoku.claims`     claims (value, comparison, threshold), the "paper vs ours" table
  and the results file
- :mod:`rindoku.sweeps`     seed-sweep summaries (``tools/sweep.py``, ``make seeds``)
- :mod:`rindoku.book`       the book as data: configuration, chapters, table of contents,
  results and sweep files
"""

__version__ = "0.2.1"

from rindoku.claims import Chapter, Claim  # noqa: E402
from rindoku.env import start  # noqa: E402

__all__ = ["Chapter", "Claim", "start", "__version__"]
