#!/usr/bin/env python
"""Generate the book's data-driven pages, and stamp the notebooks.

Run from the repository root before ``jupyter-book build``::

    python tools/make_pages.py                 # map figure + generated pages
    python tools/make_pages.py --stamp         # stamp every notebooks/*.ipynb
    python tools/make_pages.py --stamp notebooks/07_reversal_curse.ipynb
    python tools/make_pages.py --stamp --check # exit 1 if a notebook is not stamped

What it writes:

* ``book/_static/map.png`` and ``map.svg``: the alignment survey's taxonomy with every
  chapter of ``book/chapters.yml`` placed on it; chapters without a notebook are "coming".
* ``book/_generated/chapters.md``: the table of chapters (included by ``book/intro.md``).
* ``book/_generated/areas.md``: chapters by area of the map (included by ``book/map.md``).
* ``book/_generated/results.md``: the claims tables from ``results/*.json`` (included by
  ``book/results.md``).

Stamping rewrites, in each notebook, only cell *sources*: the Colab badge line and the
``**Run time`` line of the first markdown cell, and ``git+https://github.com/OWNER/REPO``
in code cells, from ``_config.yml`` (``repository: url/branch``) and ``results/NAME.json``.
Outputs and execution counts are never touched; a notebook is rewritten only if a source
changed, so stamping is idempotent.

Dependencies: the standard library, PyYAML, matplotlib (map only) and nbformat (stamping).
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COLAB = "https://colab.research.google.com"
BADGE_IMG = f"{COLAB}/assets/colab-badge.svg"
ARXIV = "https://arxiv.org/abs/{}"

__all__ = [
    "load_config", "repo_url", "repo_branch", "owner_repo", "colab_url", "colab_badge",
    "load_registry", "chapter_name", "notebook_exists", "toc_files", "in_book", "load_results",
    "load_sweeps", "format_runtime",
    "runtime_line", "render_chapters", "render_areas", "render_results", "draw_map",
    "stamp_source", "stamp_notebook", "main",
]


# --------------------------------------------------------------------------- config
def load_config(root: Path | str = ROOT) -> dict:
    """Return ``_config.yml`` of the book at ``root`` as a dict.

    >>> load_config()["repository"]["branch"]
    'main'
    """
    with open(Path(root) / "_config.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def repo_url(config: dict | None = None) -> str:
    """The repository URL, without a trailing slash or ``.git``.

    >>> repo_url({"repository": {"url": "https://github.com/a/b.git/"}})
    'https://github.com/a/b'
    """
    config = load_config() if config is None else config
    url = config["repository"]["url"].strip().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def repo_branch(config: dict | None = None) -> str:
    """The branch the book is built from (``repository: branch``, default ``main``)."""
    config = load_config() if config is None else config
    return config["repository"].get("branch", "main")


def owner_repo(config: dict | None = None) -> tuple[str, str]:
    """``(owner, repo)`` of a GitHub repository URL.

    >>> owner_repo({"repository": {"url": "https://github.com/rindoku-book/rindoku"}})
    ('rindoku-book', 'rindoku')
    """
    m = re.match(r"https?://github\.com/([^/]+)/([^/]+)$", repo_url(config))
    if not m:
        raise ValueError(f"not a GitHub repository URL: {repo_url(config)!r}")
    return m.group(1), m.group(2)


def colab_url(name: str, config: dict | None = None) -> str:
    """Colab URL that opens ``notebooks/<name>.ipynb`` from the configured branch.

    >>> colab_url("07_reversal_curse", {"repository": {"url": "https://github.com/o/r",
    ...                                                 "branch": "main"}})
    'https://colab.research.google.com/github/o/r/blob/main/notebooks/07_reversal_curse.ipynb'
    """
    config = load_config() if config is None else config
    owner, repo = owner_repo(config)
    name = name[:-6] if name.endswith(".ipynb") else name
    return f"{COLAB}/github/{owner}/{repo}/blob/{repo_branch(config)}/notebooks/{name}.ipynb"


def colab_badge(name: str, config: dict | None = None) -> str:
    """The markdown line with the Colab badge for ``notebooks/<name>.ipynb``."""
    return f"[![Open In Colab]({BADGE_IMG})]({colab_url(name, config)})"


# ------------------------------------------------------------------------- registry
def load_registry(root: Path | str = ROOT) -> dict:
    """Return ``book/chapters.yml``: ``{"map": {...}, "chapters": [...]}``.

    >>> len(load_registry()["chapters"])
    15
    """
    with open(Path(root) / "book" / "chapters.yml", encoding="utf-8") as f:
        reg = yaml.safe_load(f)
    reg["chapters"] = sorted(reg["chapters"], key=lambda c: c["number"])
    return reg


def chapter_name(ch: dict) -> str:
    """Notebook stem of a registry entry, e.g. ``07_reversal_curse``.

    >>> chapter_name({"number": 7, "slug": "reversal_curse"})
    '07_reversal_curse'
    """
    return f"{ch['number']:02d}_{ch['slug']}"


def notebook_exists(ch: dict, root: Path | str = ROOT) -> bool:
    """Whether the chapter is written: ``notebooks/NN_slug.ipynb`` exists and the table of
    contents lists it (a draft that is not in ``_toc.yml`` is not part of the book yet)."""
    return in_book(chapter_name(ch), root)


def toc_files(root: Path | str = ROOT) -> list[str] | None:
    """Every file ``_toc.yml`` lists (its root first), or None if there is no ``_toc.yml``.

    >>> toc_files()[0]
    'book/intro'
    """
    toc_path = Path(root) / "_toc.yml"
    if not toc_path.is_file():
        return None
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8")) or {}
    files = [toc["root"]] if toc.get("root") else []
    return files + [c.get("file", "") for part in toc.get("parts", []) for c in part.get("chapters", [])]


def in_book(name: str, root: Path | str = ROOT) -> bool:
    """Whether the notebook ``notebooks/<name>.ipynb`` exists and ``_toc.yml`` lists it."""
    if not (Path(root) / "notebooks" / f"{name}.ipynb").is_file():
        return False
    listed = toc_files(root)
    return listed is None or f"notebooks/{name}" in listed


def _registry_by_name(registry: dict | None) -> dict:
    if not registry:
        return {}
    return {chapter_name(c): c for c in registry.get("chapters", [])}


# -------------------------------------------------------------------------- results
def load_results(results_dir: Path | str) -> tuple[dict, list[str]]:
    """Read ``results/*.json``.

    Returns ``(results, problems)``: results maps the file stem (``07_reversal_curse``) to
    the parsed dict; problems lists files that could not be read, with why. A missing
    directory gives ``({}, [])``.
    """
    results, problems = {}, []
    d = Path(results_dir)
    if not d.is_dir():
        return results, problems
    for p in sorted(d.glob("*.json")):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("top level is not an object")
        except (OSError, ValueError) as e:
            problems.append(f"{p.name}: {e}")
            continue
        results[data.get("chapter") or p.stem] = data
    return results, problems


def format_runtime(seconds) -> str:
    """Human run time: ``about N min`` (N at least 1).

    >>> format_runtime(123.4)
    'about 2 min'
    >>> format_runtime(20)
    'about 1 min'
    """
    return f"about {max(1, round(float(seconds) / 60))} min"


def runtime_line(result: dict) -> str:
    """The ``**Run time`` line of a notebook's first cell, from its results dict.

    >>> runtime_line({"runtime_s": 123.4, "seed": 0})
    '**Run time (default run, 2 CPU cores):** about 2 min — measured 123 s with seed 0.'
    """
    s = float(result["runtime_s"])
    return (f"**Run time (default run, 2 CPU cores):** {format_runtime(s)} — "
            f"measured {s:.0f} s with seed {result.get('seed', '?')}.")


def _cell(value) -> str:
    """Format a value for a markdown table cell."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    text = str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    return text.strip() or "—"


def _chapter_label(name: str, registry: dict | None, root: Path | str | None = None,
                   title: str | None = None) -> str:
    """``07 · Reversal curse``, linked to the notebook page if it exists."""
    ch = _registry_by_name(registry).get(name)
    num = name.split("_", 1)[0]
    short = title or (ch["short"] if ch else name)
    if root is not None and in_book(name, root):
        return f"{{doc}}`{num} · {short} </notebooks/{name}>`"
    return f"{num} · {short}"


def _runtime_cell(result: dict | None) -> str:
    if not result or result.get("runtime_s") is None:
        return "—"
    s = float(result["runtime_s"])
    return f"{s / 60:.1f} min ({s:.0f} s)"


def _test_cell(claim: dict) -> str:
    """The claim's test, formatted from its op and threshold (one format for every chapter)."""
    if claim.get("op") and claim.get("threshold") is not None:
        from rindoku.claims import describe

        return describe(claim["op"], claim["threshold"])
    return _cell(claim.get("test"))


def load_sweeps(results_dir: Path | str) -> dict:
    """Read ``<results_dir>/sweeps/*.json`` (seed-sweep summaries), keyed by chapter."""
    sweeps, _ = load_results(Path(results_dir) / "sweeps")
    return sweeps


def _sweep_cell(sweep: dict | None, name: str) -> str:
    """``6/6 seeds, margin ≥ 0.05 ⚑`` for one claim of a sweep summary."""
    if not sweep:
        return "—"
    c = next((c for c in sweep.get("claims", []) if c.get("name") == name), None)
    if c is None:
        return "not in sweep"
    n = len(c.get("holds", {}))
    ok = sum(1 for v in c.get("holds", {}).values() if v)
    text = f"{ok}/{n} seeds"
    if c.get("thinnest_margin") is not None:
        text += f", margin ≥ {_cell(float(c['thinnest_margin']))}"
    return text + (" ⚑" if c.get("flagged") else "")


def _seeds_summary(sweep: dict | None) -> str:
    if not sweep:
        return "—"
    seeds = sweep.get("seeds", [])
    label = (f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
             else ", ".join(str(s) for s in seeds)) if seeds else "—"
    mark = "✓" if sweep.get("all_hold") else "✗"
    flags = len(sweep.get("flagged") or [])
    return f"{mark} seeds {label}" + (f", {flags} ⚑" if flags else "")


def render_results(results_dir: Path | str, registry: dict | None = None,
                   root: Path | str | None = None) -> str:
    """Markdown for ``book/_generated/results.md``.

    A summary table, then one section (``##``) per chapter with its claims table.
    ``registry`` (from :func:`load_registry`) supplies titles a results file lacks;
    ``root``, if given, turns chapter names into links to notebooks that exist.
    Seed-sweep summaries in ``<results_dir>/sweeps`` add an "across seeds" column.
    """
    results, problems = load_results(results_dir)
    sweeps = load_sweeps(results_dir)
    if root is not None:  # drafts not yet in the table of contents are not part of the book
        results = {name: r for name, r in results.items() if in_book(name, root)}
    out = ["<!-- Generated by tools/make_pages.py from results/*.json; do not edit. -->", ""]
    if not results:
        out += ["No chapter has recorded results yet. A chapter writes "
                "`results/NN_slug.json` when its notebook runs to the end; "
                "this page is regenerated at every book build.", ""]
    else:
        out += ["⚑ marks a claim whose thinnest margin across seeds is smaller than its "
                "seed-to-seed spread: another seed could plausibly cross the threshold.", "",
                "| Chapter | Claims that hold | Seed | Across seeds | Run time (2 CPU cores) |",
                "|---|---|---|---|---|"]
        for name, r in sorted(results.items()):
            claims = r.get("claims") or []
            n_ok = sum(1 for c in claims if c.get("holds") is True)
            mark = "✓" if claims and n_ok == len(claims) else "✗"
            out.append(f"| {_chapter_label(name, registry, root, r.get('title'))} "
                       f"| {mark} {n_ok} of {len(claims)} | {_cell(r.get('seed'))} "
                       f"| {_seeds_summary(sweeps.get(name))} | {_runtime_cell(r)} |")
        out.append("")
        for name, r in sorted(results.items()):
            ch = _registry_by_name(registry).get(name)
            title = r.get("title") or (ch["paper"]["title"] if ch else name)
            out += [f"## {name.split('_', 1)[0]} · {_cell(title)}", ""]
            meta = [f"Seed {_cell(r.get('seed'))}", f"run time {_runtime_cell(r)}"]
            if ch:
                arx = ch["paper"]["arxiv"]
                meta.append(f"paper: {ch['paper']['authors']} {ch['paper']['year']}, "
                            f"[arXiv:{arx}]({ARXIV.format(arx)})")
            if root is not None:
                meta.append(f"{{doc}}`notebook </notebooks/{name}>`")
            out += ["; ".join(meta) + ".", ""]
            claims = r.get("claims") or []
            if not claims:
                out += ["This results file lists no claims.", ""]
                continue
            out += ["| | Claim | Paper | Ours | Test | Across seeds |",
                    "|---|---|---|---|---|---|"]
            for c in claims:
                holds = c.get("holds")
                mark = "✓" if holds is True else ("✗" if holds is False else "?")
                label = c.get("name") + (f" ({c['note']})" if c.get("note") else "")
                out.append(f"| {mark} | {_cell(label)} | {_cell(c.get('paper'))} "
                           f"| {_cell(c.get('ours'))} | {_test_cell(c)} "
                           f"| {_sweep_cell(sweeps.get(name), c.get('name'))} |")
            out.append("")
    if problems:
        out += ["Results files that could not be read:", ""]
        out += [f"- `{p}`" for p in problems]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_chapters(registry: dict, root: Path | str = ROOT,
                    results: dict | None = None) -> str:
    """Markdown table of all chapters for ``book/_generated/chapters.md``."""
    results = results or {}
    out = ["<!-- Generated by tools/make_pages.py from book/chapters.yml; do not edit. -->",
           "", "| # | Chapter | Paper | Status | Run time (2 CPU cores) |",
           "|---|---|---|---|---|"]
    for ch in registry["chapters"]:
        name, p = chapter_name(ch), ch["paper"]
        written = notebook_exists(ch, root)
        title = (f"{{doc}}`{ch['short']} </notebooks/{name}>`" if written else ch["short"])
        paper = (f"{_cell(p['title'])} ({p['authors']} {p['year']}), "
                 f"[arXiv:{p['arxiv']}]({ARXIV.format(p['arxiv'])})")
        status = "written" if written else "coming"
        out.append(f"| {ch['number']:02d} | {title} | {paper} | {status} "
                   f"| {_runtime_cell(results.get(name))} |")
    return "\n".join(out) + "\n"


def render_areas(registry: dict, root: Path | str = ROOT) -> str:
    """Markdown table of chapters by area of the map, for ``book/_generated/areas.md``."""
    by_num = {c["number"]: c for c in registry["chapters"]}

    def label(ch):
        if notebook_exists(ch, root):
            return f"{{doc}}`{ch['number']:02d} {ch['short']} </notebooks/{chapter_name(ch)}>`"
        return f"{ch['number']:02d} {ch['short']} (coming)"

    out = ["<!-- Generated by tools/make_pages.py from book/chapters.yml; do not edit. -->",
           "", "| Chapter | Where it sits | What it shows | Read together with |",
           "|---|---|---|---|"]
    for group, _color in GROUPS:
        for ch in registry["chapters"]:
            if BOXES[ch["box"]]["group"] != group:
                continue
            mates = ", ".join(f"{n:02d} {by_num[n]['short']}" for n in ch.get("read_with", [])
                              if n in by_num)
            out.append(f"| {label(ch)} | {_cell(ch['area'])} | {_cell(ch['hook'])} "
                       f"| {mates or '—'} |")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ map
# Top-level groups of the figure and their colours.
GROUPS = [
    ("Outer alignment", "#3b6fb6"),
    ("Inner alignment", "#7a7a7a"),
    ("Attacks", "#b5443b"),
    ("Interpretability & evaluation", "#2e8b57"),
    ("Reasoning and its failures", "#c7731c"),
    ("Capabilities & architecture", "#7b4fa8"),
]
GROUP_COLOR = dict(GROUPS)

# Leaf boxes a chapter can be placed in (chapters.yml `box:`), with their group.
BOXES = {
    "rl": {"group": "Outer alignment", "title": "RL-based (RLHF and its variants)"},
    "sft": {"group": "Outer alignment", "title": "Supervised (SFT, ranking, feedback)"},
    "cai": {"group": "Outer alignment", "title": "Constitutional AI / self-feedback"},
    "inner": {"group": "Inner alignment", "title": "Inner alignment"},
    "attacks": {"group": "Attacks", "title": "Attacks"},
    "interp": {"group": "Interpretability & evaluation", "title": "Interpretability"},
    "eval": {"group": "Interpretability & evaluation", "title": "Evaluation"},
    "reasoning": {"group": "Reasoning and its failures", "title": "Reasoning and its failures"},
    "capabilities": {"group": "Capabilities & architecture",
                     "title": "Capabilities & architecture"},
}


def _lighten(hex_color: str, amount: float) -> tuple:
    from matplotlib.colors import to_rgb
    r, g, b = to_rgb(hex_color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def draw_map(registry: dict, root: Path | str = ROOT, out_dir: Path | str | None = None,
             formats: tuple = ("png", "svg")) -> list[Path]:
    """Draw the survey's taxonomy with the chapters placed on it.

    Written chapters are solid chips in their area's colour; chapters whose notebook does
    not exist yet are grey dashed "coming" chips. Returns the files written.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    out_dir = Path(root) / "book" / "_static" if out_dir is None else Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "rindoku",
                         "svg.fonttype": "path"})
    W, H = 150.0, 104.0
    fig = plt.figure(figsize=(15, 10.4))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    ax.axis("off")

    def box(x, y, w, h, color, fill=0.9, lw=1.6, ls="-", r=1.2, z=1):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={r}",
                                    fc=_lighten(color, fill), ec=color, lw=lw, ls=ls,
                                    zorder=z))

    def text(x, y, s, size=12, color="#222222", weight="normal", ha="left", va="top",
             style="normal", z=5):
        return ax.text(x, y, s, fontsize=size, color=color, fontweight=weight, ha=ha,
                       va=va, fontstyle=style, zorder=z)

    chips_by_box: dict[str, list] = {}
    for ch in registry["chapters"]:
        chips_by_box.setdefault(ch["box"], []).append(ch)

    chip_texts = []

    def chips(key, x, y_top, w, h=4.6, gap=1.3, ncol=1, col_gap=2.0):
        """Place the chips of box `key` in a grid starting at (x, y_top)."""
        color = GROUP_COLOR[BOXES[key]["group"]]
        items = chips_by_box.get(key, [])
        cw = (w - col_gap * (ncol - 1)) / ncol
        for i, ch in enumerate(items):
            nrow = math.ceil(len(items) / ncol)
            col, row = divmod(i, nrow)  # fill column by column: reading order
            cx, cy = x + col * (cw + col_gap), y_top - (row + 1) * h - row * gap
            written = notebook_exists(ch, root)
            if written:
                box(cx, cy, cw, h, color, fill=0.08, lw=1.4, r=1.0, z=3)
                tcolor, num_color, style = "white", "white", "normal"
            else:
                box(cx, cy, cw, h, "#9a9a9a", fill=0.93, lw=1.3, ls=(0, (3, 2)), r=1.0, z=3)
                tcolor, num_color, style = "#6f6f6f", "#6f6f6f", "italic"
            text(cx + 1.2, cy + h / 2, f"{ch['number']:02d}", size=12.5, color=num_color,
                 weight="bold", va="center")
            t = text(cx + 5.2, cy + h / 2, ch["short"], size=12, color=tcolor, va="center",
                     style=style)
            chip_texts.append((t, cx + cw - 0.6))
        return len(items)

    # Title
    text(1.5, H - 1.2, "Where the chapters sit", size=20, weight="bold")
    text(1.5, H - 5.6, "The taxonomy of the alignment survey (Shen et al. 2023, "
         "arXiv:2309.15025), with each chapter of the book placed on it",
         size=12.5, color="#444444")
    # Legend
    lx = 117.0
    box(lx, H - 5.6, 4.5, 3.2, "#3b6fb6", fill=0.08, r=0.8)
    text(lx + 5.5, H - 4.0, "written", size=11.5, va="center")
    box(lx + 19, H - 5.6, 4.5, 3.2, "#9a9a9a", fill=0.93, ls=(0, (3, 2)), r=0.8)
    text(lx + 24.5, H - 4.0, "coming", size=11.5, va="center", color="#6f6f6f",
         style="italic")

    # Why alignment band
    y0 = H - 16.5
    box(1, y0, W - 2, 7.5, "#555555", fill=0.92, lw=1.2)
    text(3, y0 + 3.75, "WHY ALIGNMENT", size=12.5, weight="bold", va="center",
         color="#333333")
    text(27, y0 + 3.75, "harmful or unfaithful content  ·  malicious use  ·  societal impact"
         "  ·  risks of advanced AI systems", size=12, va="center", color="#333333")

    # ---- row 2: the survey's areas
    top, bot = y0 - 2.0, 38.0
    # Outer alignment
    c = GROUP_COLOR["Outer alignment"]
    box(1, bot, 73, top - bot, c, fill=0.93)
    text(3, top - 1.2, "OUTER ALIGNMENT", size=13, weight="bold", color=c)
    # non-recursive oversight
    sub_top = top - 6.0
    box(3, bot + 2, 34, sub_top - bot - 2, c, fill=0.97, lw=1.0)
    text(4.5, sub_top - 1.0, "Non-recursive oversight", size=12, weight="bold", color=c)
    text(4.5, sub_top - 4.6, BOXES["rl"]["title"], size=11.5, color="#333333")
    n = chips("rl", 4.5, sub_top - 7.8, 31)
    y_sft = sub_top - 8.6 - n * 5.9
    text(4.5, y_sft, BOXES["sft"]["title"], size=11.5, color="#333333")
    if not chips("sft", 4.5, y_sft - 3.2, 31):
        text(4.5, y_sft - 3.6, "no chapter yet", size=10.5, color="#888888", style="italic")
    # scalable oversight
    box(39, bot + 2, 33, sub_top - bot - 2, c, fill=0.97, lw=1.0)
    text(40.5, sub_top - 1.0, "Scalable oversight", size=12, weight="bold", color=c)
    yy = sub_top - 4.6
    for label, key in [("Task decomposition", None), ("Constitutional AI / self-feedback",
                       "cai"), ("Debate", None), ("Market making", None),
                       ("Proxy tasks", None)]:
        text(40.5, yy, label, size=11.5, color="#333333")
        if key:
            n = chips(key, 40.5, yy - 3.2, 30)
            yy -= 3.8 + n * 5.9 + 0.8
        else:
            yy -= 3.6

    # Right column: inner alignment, attacks, interpretability, evaluation
    def area(x, y, w, h, group, title, sub, key=None, ncol=1):
        col = GROUP_COLOR[group]
        box(x, y, w, h, col, fill=0.93)
        text(x + 2, y + h - 1.2, title.upper(), size=13, weight="bold", color=col)
        chip_texts.append((text(x + 2, y + h - 5.0, sub, size=11.5, color="#333333"),
                           x + w - 1.0))
        if key is None or not chips(key, x + 2, y + h - 8.6, w - 4, ncol=ncol):
            text(x + 2, y + h - 9.0, "no chapter yet", size=10.5, color="#888888",
                 style="italic")

    rx, rw = 76.0, 35.5
    rh = (top - bot - 2.0) / 2
    area(rx, top - rh, rw, rh, "Inner alignment", "Inner alignment",
         "proxy goals · mesa-optimisation · deception", key="inner")
    area(rx + rw + 2, top - rh, rw, rh, "Attacks", "Attacks",
         "privacy · backdoor · adversarial", key="attacks")
    area(rx, bot, rw, rh, "Interpretability & evaluation", "Interpretability",
         "mechanistic · explanations", key="interp")
    area(rx + rw + 2, bot, rw, rh, "Interpretability & evaluation", "Evaluation",
         "factuality · ethics · toxicity · bias", key="eval")

    # ---- row 3: beyond the survey's taxonomy
    y3 = 1.0
    h3 = bot - 2.0 - y3
    box(1, y3, W - 2, h3, "#555555", fill=0.97, lw=1.0, ls=(0, (5, 3)))
    text(3, y3 + h3 - 1.2, "BEYOND THE SURVEY'S TAXONOMY", size=12.5, weight="bold",
         color="#555555")
    text(50, y3 + h3 - 1.4, "the capabilities that alignment has to work with, "
         "and where they fail", size=11.5, color="#555555", style="italic")
    inner_top = y3 + h3 - 6.0
    c = GROUP_COLOR["Reasoning and its failures"]
    box(3, y3 + 2, 45, inner_top - y3 - 2, c, fill=0.93)
    text(5, inner_top - 1.2, "REASONING AND ITS FAILURES", size=13, weight="bold", color=c)
    text(5, inner_top - 5.0, "latent reasoning · verification · generalisation",
         size=11.5, color="#333333")
    chips("reasoning", 5, inner_top - 8.6, 41)
    c = GROUP_COLOR["Capabilities & architecture"]
    box(50, y3 + 2, W - 53, inner_top - y3 - 2, c, fill=0.93)
    text(52, inner_top - 1.2, "CAPABILITIES & ARCHITECTURE", size=13, weight="bold",
         color=c)
    text(52, inner_top - 5.0, "long context · positional encoding · symbolic tasks · "
         "vision · knowledge graphs", size=11.5, color="#333333")
    chips("capabilities", 52, inner_top - 8.6, W - 57, ncol=2, col_gap=3.0)

    # Shrink any chip label that would overflow its chip.
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    for t, x_max in chip_texts:
        for _ in range(12):
            bb = t.get_window_extent(renderer)
            if inv.transform((bb.x1, bb.y1))[0] <= x_max:
                break
            t.set_fontsize(t.get_fontsize() - 0.5)

    written = []
    for fmt in formats:
        path = out_dir / f"map.{fmt}"
        meta = {"Date": None} if fmt == "svg" else {}
        fig.savefig(path, dpi=120, metadata=meta)
        written.append(path)
    plt.close(fig)
    return written


# ------------------------------------------------------------------------- stamping
_BADGE_RE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)[ \t]*$", re.M)
_RUNTIME_RE = re.compile(r"^\*\*Run time.*$", re.M)
_GIT_RE = re.compile(r"git\+https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_-]+")
_SLIDES_RE = re.compile(r"^\*\*Seminar slides:\*\*.*$", re.M)


def slides_line(name: str) -> str:
    """The first cell's link to the chapter's reveal.js deck (``tools/make_slides.py``).

    >>> slides_line("07_reversal_curse")[:60]
    '**Seminar slides:** <a href="../slides/07_reversal_curse.sli'
    """
    return (f'**Seminar slides:** <a href="../slides/{name}.slides.html">the deck for a '
            f'輪読 session</a> (outputs only, built with the book).')


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
    results_dir = Path(results_dir) if results_dir is not None else ROOT / "results"
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


# ----------------------------------------------------------------------------- main
def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def make_pages(root: Path | str = ROOT, draw: bool = True) -> None:
    root = Path(root)
    registry = load_registry(root)
    results, problems = load_results(root / "results")
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    gen = root / "book" / "_generated"
    _write(gen / "chapters.md", render_chapters(registry, root, results))
    _write(gen / "areas.md", render_areas(registry, root))
    _write(gen / "results.md", render_results(root / "results", registry, root))
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
        if stamp_notebook(p, config, root / "results", write=not args.check):
            stale.append(p)
            print(("needs stamping: " if args.check else "stamped ") + str(p))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
