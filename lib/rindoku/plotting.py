"""The house plot style and the plots several chapters share."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from rindoku.formatting import format_number

#: Colours with fixed meanings across the book (colour-blind safe, from the Okabe-Ito set).
COLORS = {
    "paper": "#7f7f7f",     # the paper's numbers
    "ours": "#0072B2",      # our main method
    "baseline": "#E69F00",  # the baseline it is compared with
    "other": "#009E73",
    "bad": "#D55E00",
    "accent": "#CC79A7",
}


#: The widest figure (inches) that still reads at full size in the book's content column;
#: two panels side by side fit at this width, wider layouts stack their panels instead.
MAX_WIDTH = 8.0


def table_number(x) -> str:
    """How a styled table shows a cell unless the notebook formats it: numbers as the book
    writes them everywhere (:func:`rindoku.formatting.format_number`, here with four
    significant digits, not pandas' six decimals), everything else as ``str``.

    >>> [table_number(x) for x in (0.45, 138.15, 2.0, 1e-05, np.float32(0.5), 240, -0.5, "RAIN")]
    ['0.45', '138.2', '2', '1×10⁻⁵', '0.5', '240', '−0.5', 'RAIN']
    """
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return format_number(x, 4)
    return str(x)


def use_style() -> None:
    """Apply the book's style: matplotlib sizes, light grid, no top/right spines; pandas
    tables that never cut a cell's text short and show floats with four significant digits.

    >>> use_style(); mpl.rcParams["figure.figsize"][0] <= MAX_WIDTH
    True
    """
    try:
        import pandas as pd

        pd.set_option("display.max_colwidth", None)
        pd.set_option("styler.format.formatter", table_number)
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    mpl.rcParams.update({
        "figure.figsize": (7.0, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.frameon": False,
        "axes.prop_cycle": mpl.cycler(color=[COLORS[k] for k in ("ours", "baseline", "other", "bad", "accent", "paper")]),
    })


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """Trailing moving average (the first points average over what exists so far).

    >>> smooth([1, 2, 3, 4], 2).tolist()
    [1.0, 1.5, 2.5, 3.5]
    """
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) == 0:
        return values
    csum = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - window, 0)
    return (csum[idx] - csum[lo]) / (idx - lo)


def loss_curve(losses: Sequence[float], ax=None, *, label: str | None = None, window: int | None = None,
               title: str = "Training loss", log: bool = True):
    """Plot a loss history (raw, faint) with its moving average; returns the axes.

    >>> ax = loss_curve([3.0, 2.0, 1.5, 1.2])
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    window = window or max(1, len(losses) // 50)
    steps = np.arange(1, len(losses) + 1)
    line, = ax.plot(steps, smooth(losses, window), label=label)
    ax.plot(steps, losses, color=line.get_color(), alpha=0.2, linewidth=0.8)
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/token)")
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    if label:
        ax.legend()
    return ax
