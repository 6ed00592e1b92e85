"""Tidy an executed notebook's stream outputs the way a terminal shows them.

A text progress bar redraws itself with carriage returns; a notebook stores every redraw as a
separate output, and a rendered book would show hundreds of lines. This merges each cell's
consecutive outputs of the same stream and keeps, on every line, only what is left after the
last carriage return, i.e. the bar's final state, and drops the bar's block glyphs (which a
rendered page shows as a black slab) while keeping its numbers. Nothing is re-executed;
execution counts, timings and other outputs are untouched.

Usage: python tools/tidy_outputs.py notebooks/NN_slug.ipynb [...]
"""

from __future__ import annotations

import re
import sys

import nbformat

_OVERWRITTEN = re.compile(r"[^\n]*\r(?=[^\n])")  # text a later carriage return overwrote
_BAR = re.compile(r"(\d+%)\|[\u2588\u2589\u258a\u258b\u258c\u258d\u258e\u258f #]*\|")  # tqdm's bar


def tidy_text(text: str) -> str:
    r"""Apply carriage returns as a terminal would.

    >>> tidy_text("\rstep 1\rstep 2\rdone\n")
    'done\n'
    >>> tidy_text("a\nb\r\n")
    'a\nb\n'
    >>> tidy_text("train: 100%|\u2588\u2588\u2588\u2588\u2588| 840/840 [00:34<00:00]\n")
    'train: 100% 840/840 [00:34<00:00]\n'
    """
    return _BAR.sub(r"\1", _OVERWRITTEN.sub("", text).replace("\r\n", "\n"))


def tidy_outputs(outputs: list) -> list:
    """Merge consecutive stream outputs of the same name, then tidy their text."""
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and last is not None
                and last.get("output_type") == "stream" and last.get("name") == out.get("name")):
            last["text"] += out["text"]
        else:
            merged.append(out)
    for out in merged:
        if out.get("output_type") == "stream":
            out["text"] = tidy_text(out["text"])
    return merged


def tidy_notebook(path: str) -> bool:
    """Tidy one notebook file in place; return whether anything changed."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.outputs:
            cell.outputs = tidy_outputs(cell.outputs)
    changed = nbformat.writes(nb) != before
    if changed:
        nbformat.write(nb, path)
    return changed


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(("tidied " if tidy_notebook(p) else "already tidy ") + p)
