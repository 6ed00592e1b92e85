#!/usr/bin/env python
"""Generate the book's data-driven pages, and stamp the notebooks.

Run from the repository root before ``jupyter-book build``::

    python tools/make_pages.py                 # map figure + generated pages
    python tools/make_pages.py --stamp         # stamp every notebooks/*.ipynb
    python tools/make_pages.py --stamp notebooks/07_reversal_curse.ipynb
    python tools/make_pages.py --stamp --check # exit 1 if a notebook is not stamped

What it writes, and where the code is:

* ``book/_static/map.png`` and ``map.svg``: the alignment survey's taxonomy with every
  chapter of ``book/chapters.yml`` placed on it; chapters without a notebook are "coming"
  (:mod:`tools.book_map`).
* ``book/_generated/chapters.md``: the table of chapters (included by ``book/intro.md``),
  ``areas.md``: chapters by area of the map (included by ``book/map.md``), ``results.md``:
  the claims tables from ``results/*.json`` (included by ``book/results.md``)
  (:mod:`tools.pages`).
* With ``--stamp``: the badge, run-time and slides lines of each notebook
  (:mod:`tools.stamping`).

The book's data (configuration, registry, table of contents, results) is read with
:mod:`rindoku.book`. Dependencies: the standard library, PyYAML, matplotlib (map only) and
nbformat (stamping).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script (python tools/make_pages.py): find `tools`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rindoku.book import (ARXIV, BADGE_IMG, COLAB, ROOT, chapter_name,  # noqa: E402, F401
                          colab_badge, colab_url, committed_results_dir, in_book, load_config, load_registry,
                          load_results, load_sweeps, notebook_exists, owner_repo, repo_branch,
                          repo_url, toc_files)

from tools.book_map import BOXES, GROUP_COLOR, GROUPS, LAYOUT, draw_map  # noqa: E402, F401
from tools.pages import (_cell, chapter_counts, claim_verdict,  # noqa: E402, F401
                         format_runtime, render_areas, render_chapters, render_decks, render_results,
                         runtime_line)
from tools.stamping import slides_line, stamp_notebook, stamp_source  # noqa: E402, F401

__all__ = [
    "load_config", "repo_url", "repo_branch", "owner_repo", "colab_url", "colab_badge",
    "load_registry", "chapter_name", "notebook_exists", "toc_files", "in_book", "load_results",
    "load_sweeps", "format_runtime",
    "runtime_line", "render_chapters", "render_areas", "render_decks", "render_results", "draw_map",
    "stamp_source", "stamp_notebook", "make_pages", "main",
]


def _write(path: Path, text: str, root: Path = ROOT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(root) if path.is_relative_to(root) else path}")


def make_pages(root: Path | str = ROOT, draw: bool = True) -> None:
    """Write the generated pages (and, with ``draw``, the map) of the book at ``root``."""
    root = Path(root)
    registry = load_registry(root)
    results_dir = committed_results_dir(root)
    results, problems = load_results(results_dir)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    gen = root / "book" / "_generated"
    _write(gen / "chapters.md", render_chapters(registry, root, results), root)
    _write(gen / "areas.md", render_areas(registry, root), root)
    _write(gen / "results.md", render_results(results_dir, registry, root), root)
    _write(gen / "decks.md", render_decks(registry, root), root)
    if draw:
        for p in draw_map(registry, root):
            print(f"wrote {p}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stamp", action="store_true",
                    help="stamp notebooks instead of generating pages")
    ap.add_argument("--check", action="store_true",
                    help="with --stamp: change nothing, exit 1 if a notebook needs stamping")
    ap.add_argument("--no-map", action="store_true", help="skip drawing the map figure")
    ap.add_argument("--root", type=Path, default=ROOT, help="book root (default: repo root)")
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="with --stamp: notebooks to stamp (default: notebooks/*.ipynb)")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    if not args.stamp:
        make_pages(root, draw=not args.no_map)
        return 0
    config = load_config(root)
    paths = args.notebooks or sorted((root / "notebooks").glob("*.ipynb"))
    stale = []
    for p in paths:
        if stamp_notebook(p, config, committed_results_dir(root),
                          write=not args.check):
            stale.append(p)
            print(("needs stamping: " if args.check else "stamped ") + str(p))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
