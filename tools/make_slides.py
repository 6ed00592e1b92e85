"""Build a reveal.js slide deck for each chapter, for the seminar (輪読).

    python tools/make_slides.py [--out _build/html/slides] [notebooks/NN_slug.ipynb ...]

A deck shows what a seminar discusses, outputs only (no code): the title and the Japanese
summary, what the paper claims, the method's equations, every figure, the paper-vs-ours
table and the claim checks, and the seminar questions. Cells that carry their own
``slideshow`` metadata keep it, so a seminar leader can tune a deck in Jupyter (View → Cell
Toolbar → Slideshow); the other cells are placed by these rules:

* the title cell opens the deck; the 要約 cell, each markdown cell of "What the paper claims",
  "Results", "What reproduced…", "For the seminar" and every markdown cell with a display
  equation get a slide of their own;
* a code cell whose output holds a figure or a table gets a slide; the last code cell (the
  claim checks) gets one;
* everything else is skipped.

The decks are written next to the book (``_build/html/slides/NN_slug.slides.html``) and each
chapter's first cell links to its deck (``tools/make_pages.py --stamp``). Reveal.js itself is
loaded by the reader's browser from its CDN.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KEY_SECTIONS = re.compile(r"^##\s+(What the paper claims|Results|What reproduced|"
                          r"Paper vs ours|For the seminar|Summary)", re.I | re.M)
HEADING = re.compile(r"^##\s+", re.M)


def _has(cell, mime_prefixes) -> bool:
    return any(any(k.startswith(p) for p in mime_prefixes for k in out.get("data", {}))
               for out in cell.get("outputs", []))


def slide_types(nb) -> list[str]:
    """The slide type of each cell (``slide``, ``subslide``, ``-`` or ``skip``).

    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# Chapter 99 — Demo"),
    ...     nbformat.v4.new_markdown_cell("## Setup"),
    ...     nbformat.v4.new_code_cell("x = 1"),
    ...     nbformat.v4.new_markdown_cell("## Results"),
    ...     nbformat.v4.new_code_cell("run.finish()")])
    >>> slide_types(nb)
    ['slide', 'skip', 'skip', 'slide', 'slide']
    """
    types, section_key = [], False
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    last_code = code[-1] if code else None
    for i, cell in enumerate(nb.cells):
        own = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if cell.cell_type == "markdown" and HEADING.search(cell.source):
            section_key = bool(KEY_SECTIONS.search(cell.source))
        if own:
            types.append(own)
        elif i == 0:
            types.append("slide")
        elif cell.cell_type == "markdown":
            key = (section_key or "要約" in cell.source or "$$" in cell.source
                   or "\\begin{" in cell.source)
            types.append("slide" if key else "skip")
        elif cell.cell_type == "code":
            shows = _has(cell, ("image/", "text/html"))
            types.append("slide" if shows or i == last_code else "skip")
        else:
            types.append("skip")
    return types


def deck(path: Path | str) -> str:
    """The HTML of one chapter's deck."""
    from nbconvert import SlidesExporter

    nb = nbformat.read(str(path), as_version=4)
    nb = copy.deepcopy(nb)
    for cell, kind in zip(nb.cells, slide_types(nb)):
        cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
    exporter = SlidesExporter(exclude_input=True, exclude_input_prompt=True,
                              exclude_output_prompt=True, reveal_scroll=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "html" / "slides")
    ap.add_argument("notebooks", nargs="*", type=Path)
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = args.out / f"{path.stem}.slides.html"
        target.write_text(deck(path), encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
