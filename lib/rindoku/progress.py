"""The book's progress bar: plain text tqdm, 80 columns wide, written to standard output.

A notebook widget bar (``tqdm.auto``) does not survive into the rendered page and a bar on
standard error is shown in red, so every bar in the book is the plain-text one, written to
standard output, at most 80 columns wide (the width of the book's code blocks), redrawn at
most once a second. ``tools/tidy_outputs.py`` keeps only the final state of each bar in the
committed notebook.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from tqdm import tqdm

NCOLS = 80
MININTERVAL = 1.0


def bar(iterable: Iterable | None = None, desc: str | None = None, *, total: int | None = None,
        disable: bool = False, mininterval: float = MININTERVAL, **kwargs) -> tqdm:
    """A plain-text progress bar over ``iterable`` (or a manual one of ``total`` steps).

    Takes the arguments of ``tqdm`` (``desc``, ``total``, ``disable``, ``leave``,
    ``postfix``, ...) with the book's settings fixed: ``ncols=80`` and ``file=sys.stdout``.

    >>> for _ in bar(range(3), "counting", disable=True):
    ...     pass
    >>> b = bar(total=2, desc="manual", disable=True)
    >>> b.update(2); b.close()
    """
    for fixed in ("ncols", "file"):
        if fixed in kwargs:
            raise TypeError(f"{fixed} is fixed by the book's progress bar")
    return tqdm(iterable, desc=desc, total=total, disable=disable, mininterval=mininterval,
                ncols=NCOLS, file=sys.stdout, **kwargs)
