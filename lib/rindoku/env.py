"""The start of a chapter's run (:func:`start`): seeding, thread count and the one-line
environment banner.

The seed of a chapter's run is overridable from outside the notebook with the environment
variable ``RINDOKU_SEED`` (the claim checks must hold for other seeds, not only the default).
``RINDOKU_THREADS`` sets the number of CPU threads torch uses (default 2, the book's target
machine).
"""

from __future__ import annotations

import os
import platform
import random
import sys


SEED_VARIABLE = "RINDOKU_SEED"
THREADS_VARIABLE = "RINDOKU_THREADS"
DEFAULT_THREADS = 2


def _int_from_env(variable: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(variable, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{variable}={raw!r} is not an integer; set it to a whole number between "
            f"{low} and {high}, e.g. {variable}=7, or unset it to use the default ({default})."
        ) from None
    if not low <= value <= high:
        raise ValueError(f"{variable}={value} is out of range; use a value between {low} and {high}.")
    return value


def resolve_seed(default: int = 0) -> int:
    """Return the seed for this run: ``RINDOKU_SEED`` if set, else ``default``.

    >>> resolve_seed(3) == int(os.environ.get("RINDOKU_SEED", 3))
    True
    """
    return _int_from_env(SEED_VARIABLE, default, 0, 2**32 - 1)


def resolve_threads(default: int = DEFAULT_THREADS) -> int:
    """Return the torch thread count: ``RINDOKU_THREADS`` if set, else ``default``."""
    return _int_from_env(THREADS_VARIABLE, default, 1, 256)


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch.

    >>> import torch
    >>> seed_everything(0); a = torch.rand(1)
    >>> seed_everything(0); bool(a == torch.rand(1))
    True
    """
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def on_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def banner(seed: int | None = None) -> str:
    """One line naming the versions, device, threads and seed of this run.

    >>> "torch" in banner(0)
    True
    """
    import torch
    import transformers

    parts = [f"python {platform.python_version()}", f"torch {torch.__version__}",
             f"transformers {transformers.__version__}"]
    try:
        import trl

        parts.append(f"trl {trl.__version__}")
    except ImportError:  # pragma: no cover - trl is a dependency, but a chapter may not need it
        pass
    from rindoku import __version__

    device = "cuda" if torch.cuda.is_available() else "cpu"
    parts.append(f"rindoku {__version__}")
    parts.append(f"device {device} ({torch.get_num_threads()} threads)")
    if seed is not None:
        parts.append(f"seed {seed}")
    return " | ".join(parts)


def start(name: str, default_seed: int = 0, threads: int | None = None, quiet: bool = False):
    """Start a chapter's run: resolve the seed (``RINDOKU_SEED`` overrides ``default_seed``),
    seed everything, fix the thread count (``threads``, else ``RINDOKU_THREADS``, else 2),
    print the banner, start the timer. Returns the :class:`rindoku.claims.Chapter` that
    records the chapter's claims.

    >>> run = start("demo", default_seed=1, quiet=True)
    >>> run.seed == int(os.environ.get("RINDOKU_SEED", 1))
    True
    """
    import torch

    from rindoku.claims import Chapter

    seed = resolve_seed(default_seed)
    torch.set_num_threads(threads or resolve_threads())
    seed_everything(seed)
    if not quiet:
        print(banner(seed))
    return Chapter(name=name, seed=seed)
