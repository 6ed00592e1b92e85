"""Stamping: the lines of a notebook that the tools keep in step with the book's data.

In each notebook only cell *sources* change: the Colab badge line and the ``**Run time`` line
of the first markdown cell (from ``_config.yml``'s ``repository: url/branch`` and
``results/NAME.json``), the ``**Seminar slides:**`` line, and
``git+https://github.com/OWNER/REPO`` in code cells. Outputs and execution counts are never
touched; a notebook is rewritten only if a source changed, so stamping is idempotent.
``python tools/make_pages.py --stamp [NOTEBOOK ...]`` runs it (``make run`` does).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from rindoku.book import colab_badge, committed_results_dir, load_config, repo_url

from tools.pages import runtime_line


_BADGE_RE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)[ \t]*$", re.M)
_RUNTIME_RE = re.compile(r"^\*\*Run time.*$", re.M)
_GIT_RE = re.compile(r"git\+https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_-]+")
_SLIDES_RE = re.compile(r"^\*\*Seminar slides:\*\*.*$", re.M)


def slides_line(name: str) -> str:
    """The first cell's link to the chapter's reveal.js deck (``tools/make_slides.py``).

    >>> slides_line("07_reversal_curse")[:60]
    '**Seminar slides:** <a href="../slides/07_reversal_curse.sli'
    """
    return (f'**Seminar slides:** <a href="../slides/{name}.slides.html">the 輪読会 deck</a> '
            f'in Japanese (<a href="../slides/{name}.slides.pdf">PDF</a>), built with the book '
            'from this chapter\'s results.')


def stamp_source(first_md: str, name: str, config: dict, result: dict | None) -> str:
    """Return the first markdown cell's source with badge and run-time lines stamped.

    The badge line is rewritten in place (inserted after the title if missing). The
    ``**Run time`` line is rewritten when a result is known (inserted after the badge if
    missing); without a result it is left as it is.
    """
    src = first_md
    badge = colab_badge(name, config)
    if _BADGE_RE.search(src):
        src = _BADGE_RE.sub(lambda m: badge, src, count=1)
    else:
        lines = src.split("\n")
        at = next((i + 1 for i, l in enumerate(lines) if l.startswith("# ")), 0)
        lines[at:at] = ["", badge] if at else [badge, ""]
        src = "\n".join(lines)
    if result and result.get("runtime_s") is not None:
        line = runtime_line(result)
        if _RUNTIME_RE.search(src):
            src = _RUNTIME_RE.sub(lambda m: line, src, count=1)
        else:
            m = _BADGE_RE.search(src)
            src = src[:m.end()] + "\n\n" + line + src[m.end():]
    slides = slides_line(name)
    if _SLIDES_RE.search(src):
        src = _SLIDES_RE.sub(lambda m: slides, src, count=1)
    else:
        m = _RUNTIME_RE.search(src) or _BADGE_RE.search(src)
        src = src[:m.end()] + "\n\n" + slides + src[m.end():]
    return src


def stamp_notebook(path: Path | str, config: dict | None = None,
                   results_dir: Path | str | None = None, write: bool = True) -> bool:
    """Stamp one notebook in place; return True if any source changed.

    Only cell sources change: outputs, execution counts and metadata are kept. The file
    is written (with nbformat, indent 1) only when something changed.
    """
    import nbformat

    path = Path(path)
    config = load_config() if config is None else config
    results_dir = Path(results_dir) if results_dir is not None else committed_results_dir()
    name = path.stem
    result = None
    rpath = results_dir / f"{name}.json"
    if rpath.is_file():
        try:
            result = json.loads(rpath.read_text(encoding="utf-8"))
        except ValueError:
            print(f"warning: cannot parse {rpath}; run time not stamped", file=sys.stderr)
    nb = nbformat.read(path, as_version=4)
    changed = False
    first_md = True
    for cell in nb.cells:
        if cell.cell_type == "markdown" and first_md:
            first_md = False
            new = stamp_source(cell.source, name, config, result)
        elif cell.cell_type == "code":
            new = _GIT_RE.sub(lambda m: "git+" + repo_url(config), cell.source)
        else:
            continue
        if new != cell.source:
            cell.source = new
            changed = True
    if changed and write:
        nbformat.write(nb, str(path))
    return changed


