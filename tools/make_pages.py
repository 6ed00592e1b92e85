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


def _number(value: float) -> str:
    """A number for a table cell that never breaks mid-token: three significant digits, and
    powers of ten written ``4.37×10⁻⁵`` instead of ``4.37e-05`` (which wraps at the hyphen).

    >>> _number(4.37e-05), _number(0.96666), _number(123456.0), _number(-0.25)
    ('4.37×10⁻⁵', '0.967', '123,456', '−0.25')
    """
    if math.isnan(value):
        return "nan"
    if abs(value) >= 1e4:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.3g}"
        if "e" in text:
            mant, exp = text.split("e")
            sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
            text = f"{mant}×10{str(int(exp)).translate(sup)}"
    return text.replace("-", "−")


def _cell(value) -> str:
    """Format a value for a markdown table cell (markdown's own characters escaped)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int):
        return _number(float(value)) if abs(value) >= 1e4 else str(value).replace("-", "−")
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    text = str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    for ch in "*_`[]<>":
        text = text.replace(ch, "\\" + ch)
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
    """The claim's test, formatted from its op and threshold (one format for every chapter).

    >>> _test_cell({"op": "<", "threshold": 1e-5}), _test_cell({"op": "in", "threshold": [0, 1]})
    ('< 1×10⁻⁵', 'in [0, 1]')
    """
    op, t = claim.get("op"), claim.get("threshold")
    if op and t is not None:
        from rindoku.claims import OPS

        if op == "in":
            return f"in [{_cell(t[0])}, {_cell(t[1])}]"
        if op == "out":
            return f"≤ {_cell(t[0])} or ≥ {_cell(t[1])}"
        return f"{OPS[op]} {_cell(t)}"
    return _cell(claim.get("test"))


def load_sweeps(results_dir: Path | str) -> dict:
    """Read ``<results_dir>/sweeps/*.json`` (seed-sweep summaries), keyed by chapter."""
    sweeps, _ = load_results(Path(results_dir) / "sweeps")
    return sweeps


VERDICT_MARK = {"reproduced": "✓", "partly": "◐", "not reproduced": "✗"}


def claim_verdict(claim: dict, sweep: dict | None) -> tuple[str, str]:
    """(verdict, across-seeds text) of one claim of a results file.

    A paper claim's verdict is the sweep's (reproduced on every seed, on none, or partly:
    k of n), else the one the chapter declares; a control "holds" or "fails"; a claim of a
    chapter still on the older API is "not yet classified".

    >>> claim_verdict({"name": "c", "kind": "paper", "expect": "partly", "holds": True},
    ...               {"seeds": [0, 1], "claims": [{"name": "c", "kind": "paper",
    ...                "holds": {"0": True, "1": False}, "thinnest_margin": None}]})
    ('◐ partly', '1 of 2 seeds hold')
    """
    kind = claim.get("kind")
    s = next((c for c in (sweep or {}).get("claims", []) if c.get("name") == claim.get("name")),
             None)
    if s is not None:
        n, k = len(s.get("holds", {})), sum(1 for v in s.get("holds", {}).values() if v)
        seeds = f"{k} of {n} seeds hold"
        if s.get("thinnest_margin") is not None and kind != "paper" or (
                kind == "paper" and claim.get("expect") != "partly"
                and s.get("thinnest_margin") is not None):
            word = "fails by" if (kind == "paper" and k == 0) else "margin"
            seeds += f"; {word} ≥ {_cell(abs(float(s['thinnest_margin'])))}"
        seeds += " ⚑" if s.get("flagged") else ""
    else:
        n = k = None
        seeds = "not in the sweep" if sweep else "—"
    if kind == "paper":
        if n:
            verdict = "reproduced" if k == n else ("not reproduced" if k == 0 else "partly")
        else:
            verdict = claim.get("expect") or "—"
        return f"{VERDICT_MARK.get(verdict, '')} {verdict}".strip(), seeds
    if kind == "control":
        ok = (k == n) if n else bool(claim.get("holds"))
        return ("control, holds" if ok else "control, fails"), seeds
    return "not yet classified", seeds


def _anchor(name: str, root: Path | str | None) -> str | None:
    """The heading a chapter discusses its verdicts under, as a link target."""
    if root is None:
        return None
    path = Path(root) / "notebooks" / f"{name}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None
    heads = [line[3:].strip() for c in cells if c.get("cell_type") == "markdown"
             for line in "".join(c.get("source", "")).splitlines() if line.startswith("## ")]
    for wanted in ("What reproduced, and what did not", "Claim checks"):
        if wanted in heads:
            return re.sub(r"[^\w\- ]", "", wanted.lower()).strip().replace(" ", "-")
    return None


def chapter_counts(result: dict, sweep: dict | None) -> dict:
    """Counts of one chapter's verdicts: reproduced, partly, not reproduced, controls (and
    how many hold), not yet classified."""
    out = {"reproduced": 0, "partly": 0, "not reproduced": 0, "controls": 0,
           "controls_hold": 0, "unclassified": 0}
    for c in result.get("claims") or []:
        verdict, _ = claim_verdict(c, sweep)
        if c.get("kind") == "paper":
            out[verdict.split(" ", 1)[1] if " " in verdict else verdict] += 1
        elif c.get("kind") == "control":
            out["controls"] += 1
            out["controls_hold"] += verdict == "control, holds"
        else:
            out["unclassified"] += 1
    return out


def _n(count: int, noun: str) -> str:
    """``1 chapter``, ``2 chapters``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _seeds_label(sweep: dict | None) -> str:
    if not sweep or not sweep.get("seeds"):
        return "—"
    seeds = sweep["seeds"]
    return (f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
            else ", ".join(str(s) for s in seeds))


def render_results(results_dir: Path | str, registry: dict | None = None,
                   root: Path | str | None = None) -> str:
    """Markdown for ``book/_generated/results.md``: the book's reproduction scoreboard.

    Book-wide totals, a table with each chapter's verdicts (the paper's claims reproduced /
    partly / not reproduced across the committed seed sweep, the controls that hold), then
    one section (``##``) per chapter with its claims. ``registry`` (from
    :func:`load_registry`) supplies titles a results file lacks; ``root``, if given, turns
    chapter names into links to notebooks that exist.
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
        counts = {n: chapter_counts(r, sweeps.get(n)) for n, r in results.items()}
        tot = {k: sum(c[k] for c in counts.values()) for k in next(iter(counts.values()))}
        classified = sum(1 for c in counts.values() if not c["unclassified"])
        waiting = [n for n, c in counts.items() if c["unclassified"]]
        out += [f"**The papers' claims, across the book:** ✓ {tot['reproduced']} reproduced · "
                f"◐ {tot['partly']} partly · ✗ {tot['not reproduced']} not reproduced, in "
                f"{_n(classified, 'chapter')} whose claims are classified. **Controls** (checks of "
                f"our own experiments): {tot['controls_hold']} of {tot['controls']} hold on "
                "every seed.", ""]
        if waiting:
            out += [f"**Not yet classified** into paper claims and controls: "
                    f"{_n(tot['unclassified'], 'check')} in chapters "
                    f"{', '.join(n.split('_', 1)[0] for n in sorted(waiting))}, which are "
                    "being reworked; they count in no total above.", ""]
        out += ["| Chapter | The paper's claims | Controls | Seeds | Run time (2 CPU cores) |",
                "|---|---|---|---|---|"]
        for name, r in sorted(results.items()):
            c = counts[name]
            if c["unclassified"]:
                cell = f"not yet classified ({_n(c['unclassified'], 'check')})"
            else:
                cell = (f"✓ {c['reproduced']} reproduced · ◐ {c['partly']} partly · "
                        f"✗ {c['not reproduced']} not reproduced")
                anchor = _anchor(name, root)
                if anchor and root is not None:
                    cell += f" ([verdicts](../notebooks/{name}.ipynb#{anchor}))"
            controls = (f"{c['controls_hold']} of {c['controls']} hold" if c["controls"]
                        else "—")
            out.append(f"| {_chapter_label(name, registry, root, r.get('title'))} | {cell} "
                       f"| {controls} | {_seeds_label(sweeps.get(name))} "
                       f"| {_runtime_cell(r)} |")
        out.append("")
        for name, r in sorted(results.items()):
            out += _chapter_section(name, r, sweeps.get(name), registry, root)
    if problems:
        out += ["Results files that could not be read:", ""]
        out += [f"- `{p}`" for p in problems]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _chapter_section(name: str, r: dict, sweep: dict | None, registry: dict | None,
                     root: Path | str | None) -> list[str]:
    ch = _registry_by_name(registry).get(name)
    title = r.get("title") or (ch["paper"]["title"] if ch else name)
    out = [f"## {name.split('_', 1)[0]} · {_cell(title)}", ""]
    meta = [f"default run: seed {_cell(r.get('seed'))}, {_runtime_cell(r)}"]
    if sweep:
        meta.append(f"swept over seeds {_seeds_label(sweep)}")
    if ch:
        arx = ch["paper"]["arxiv"]
        meta.append(f"paper: {ch['paper']['authors']} {ch['paper']['year']}, "
                    f"[arXiv:{arx}]({ARXIV.format(arx)})")
    if root is not None:
        meta.append(f"{{doc}}`notebook </notebooks/{name}>`")
    line = "; ".join(meta)
    out += [line[:1].upper() + line[1:] + ".", ""]
    claims = r.get("claims") or []
    if not claims:
        return out + ["This results file lists no claims.", ""]
    out += ["| Verdict | Claim | Paper | Ours | Null | Test | Across seeds |",
            "|---|---|---|---|---|---|---|"]
    order = {"paper": 0, "control": 1}
    for c in sorted(claims, key=lambda c: order.get(c.get("kind"), 2)):
        verdict, seeds = claim_verdict(c, sweep)
        label = c.get("name") + (f" ({c['note']})" if c.get("note") else "")
        out.append(f"| {verdict} | {_cell(label)} | {_cell(c.get('paper'))} "
                   f"| {_cell(c.get('ours'))} | {_cell(c.get('null'))} | {_test_cell(c)} "
                   f"| {seeds} |")
    return out + [""]


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

    The figure is drawn 8 inches wide, the width of the book's content column, so that its
    labels are shown at their natural size (11 pt and up) instead of being shrunk. Written
    chapters are solid chips in their area's colour; chapters whose notebook does not exist
    yet are grey dashed "coming" chips. Areas without a chapter are drawn as a slim band.
    Returns the files written.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    out_dir = Path(root) / "book" / "_static" if out_dir is None else Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "rindoku",
                         "svg.fonttype": "path"})
    W, H = 80.0, 112.0  # 10 units per inch
    fig = plt.figure(figsize=(W / 10, H / 10))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    ax.axis("off")
    chips_by_box: dict[str, list] = {}
    for ch in registry["chapters"]:
        chips_by_box.setdefault(ch["box"], []).append(ch)
    fitted = []  # (text, right edge) pairs shrunk later if they overflow

    def box(x, y, w, h, color, fill=0.9, lw=1.4, ls="-", r=1.0, z=1):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={r}",
                                    fc=_lighten(color, fill), ec=color, lw=lw, ls=ls,
                                    zorder=z))

    def text(x, y, s, size=11, color="#222222", weight="normal", ha="left", va="top",
             style="normal", z=5, right=None):
        t = ax.text(x, y, s, fontsize=size, color=color, fontweight=weight, ha=ha, va=va,
                    fontstyle=style, zorder=z)
        if right is not None:
            fitted.append((t, right))
        return t

    def chips(key, x, y_top, w, ncol=1, h=3.9, gap=1.0, col_gap=1.6):
        """Chips of box `key` in a grid from (x, y_top); returns the height used."""
        color = GROUP_COLOR[BOXES[key]["group"]]
        items = chips_by_box.get(key, [])
        if not items:
            return 0.0
        nrow = math.ceil(len(items) / ncol)
        cw = (w - col_gap * (ncol - 1)) / ncol
        for i, ch in enumerate(items):
            col, row = divmod(i, nrow)  # fill column by column: reading order
            cx, cy = x + col * (cw + col_gap), y_top - (row + 1) * h - row * gap
            if notebook_exists(ch, root):
                box(cx, cy, cw, h, color, fill=0.08, lw=1.2, r=0.8, z=3)
                tcolor, style = "white", "normal"
            else:
                box(cx, cy, cw, h, "#9a9a9a", fill=0.93, lw=1.1, ls=(0, (3, 2)), r=0.8, z=3)
                tcolor, style = "#5f5f5f", "italic"
            text(cx + 1.0, cy + h / 2, f"{ch['number']:02d}", size=11.5, color=tcolor,
                 weight="bold", va="center")
            text(cx + 4.6, cy + h / 2, ch["short"], size=11, color=tcolor, va="center",
                 style=style, right=cx + cw - 0.5)
        return nrow * h + (nrow - 1) * gap

    def area(x, y_top, w, group, title, sub, keys, ncol=1, pad=1.5, draw_box=True):
        """A coloured area with a title, a subtitle and its chips; returns its bottom y."""
        col = GROUP_COLOR[group]
        y = y_top - 1.2
        head = text(x + pad, y, title.upper(), size=11.5, weight="bold", color=col)
        y -= 3.0
        text(x + pad, y, sub, size=10, color="#333333", right=x + w - 0.8)
        y -= 3.4
        used = 0.0
        for key in keys:
            used = chips(key, x + pad, y, w - 2 * pad, ncol=ncol)
            y -= used + (1.2 if used else 0)
        if not any(chips_by_box.get(k) for k in keys):
            text(x + pad, y + 0.4, "no chapter yet", size=10, color="#777777", style="italic")
            y -= 3.0
        bottom = y - 0.6
        if draw_box:
            box(x, bottom, w, y_top - bottom, col, fill=0.93)
        return bottom, head

    # Title and legend
    text(1.0, H - 1.0, "Where the chapters sit", size=17, weight="bold")
    text(1.0, H - 5.2, "The taxonomy of the alignment survey (Shen et al. 2023,\n"
         "arXiv:2309.15025), with each chapter of the book placed on it", size=10.5,
         color="#444444")
    box(57.0, H - 4.6, 3.6, 2.6, "#3b6fb6", fill=0.08, r=0.6)
    text(61.4, H - 3.3, "written", size=10.5, va="center")
    box(57.0, H - 8.4, 3.6, 2.6, "#9a9a9a", fill=0.93, ls=(0, (3, 2)), r=0.6)
    text(61.4, H - 7.1, "coming", size=10.5, va="center", color="#5f5f5f", style="italic")

    # Why alignment
    y = H - 12.5
    box(0.5, y - 6.4, W - 1, 6.4, "#555555", fill=0.92, lw=1.0)
    text(2.0, y - 1.0, "WHY ALIGNMENT", size=11.5, weight="bold", color="#333333")
    text(2.0, y - 3.6, "harmful or unfaithful content · malicious use · societal impact · "
         "risks of advanced AI", size=10, color="#333333", right=W - 1.5)
    y -= 8.0

    # Outer alignment: two columns
    c = GROUP_COLOR["Outer alignment"]
    top = y
    text(2.0, top - 1.2, "OUTER ALIGNMENT", size=12, weight="bold", color=c)
    col_w = (W - 1 - 4.5) / 2
    left_x, right_x = 2.0, 2.0 + col_w + 1.5
    sub_top = top - 4.8
    # non-recursive oversight
    yl = sub_top - 1.0
    text(left_x + 1.2, yl, "Non-recursive oversight", size=11, weight="bold", color=c)
    yl -= 3.4
    text(left_x + 1.2, yl, BOXES["rl"]["title"], size=10, color="#333333",
         right=left_x + col_w - 0.6)
    yl -= 3.2
    yl -= chips("rl", left_x + 1.2, yl, col_w - 2.4) + 1.6
    text(left_x + 1.2, yl, BOXES["sft"]["title"], size=10, color="#333333",
         right=left_x + col_w - 0.6)
    yl -= 3.2
    used = chips("sft", left_x + 1.2, yl, col_w - 2.4)
    if not used:
        text(left_x + 1.2, yl, "no chapter yet", size=10, color="#777777", style="italic")
        used = 2.4
    yl -= used + 1.2
    # scalable oversight
    yr = sub_top - 1.0
    text(right_x + 1.2, yr, "Scalable oversight", size=11, weight="bold", color=c)
    yr -= 3.4
    for label, key in [("Task decomposition", None), ("Constitutional AI / self-feedback",
                       "cai"), ("Debate · market making · proxy tasks", None)]:
        text(right_x + 1.2, yr, label, size=10, color="#333333", right=right_x + col_w - 0.6)
        yr -= 3.2
        if key:
            yr -= chips(key, right_x + 1.2, yr, col_w - 2.4) + 1.2
    sub_bot = min(yl, yr)
    box(left_x, sub_bot, col_w, sub_top - sub_bot, c, fill=0.97, lw=0.9)
    box(right_x, sub_bot, col_w, sub_top - sub_bot, c, fill=0.97, lw=0.9)
    bottom = sub_bot - 1.2
    box(0.5, bottom, W - 1, top - bottom, c, fill=0.93)
    y = bottom - 1.6

    # Two pairs of areas side by side
    half = (W - 1 - 1.5) / 2
    xl, xr = 0.5, 0.5 + half + 1.5
    for (gl, tl, sl, kl), (gr, tr, sr, kr) in [
        (("Inner alignment", "Inner alignment",
          "proxy goals · mesa-optimisation · deception", ["inner"]),
         ("Attacks", "Attacks", "privacy · backdoor · adversarial", ["attacks"])),
        (("Interpretability & evaluation", "Interpretability",
          "mechanistic · explanations", ["interp"]),
         ("Interpretability & evaluation", "Evaluation",
          "factuality · ethics · toxicity · bias", ["eval"])),
    ]:
        bl, _ = area(xl, y, half, gl, tl, sl, kl, draw_box=False)
        br, _ = area(xr, y, half, gr, tr, sr, kr, draw_box=False)
        low = min(bl, br)  # both boxes of a row end at the same height
        box(xl, low, half, y - low, GROUP_COLOR[gl], fill=0.93)
        box(xr, low, half, y - low, GROUP_COLOR[gr], fill=0.93)
        y = low - 1.6

    # Beyond the survey's taxonomy
    top = y
    text(2.0, top - 1.2, "BEYOND THE SURVEY'S TAXONOMY", size=11.5, weight="bold",
         color="#555555")
    text(2.0, top - 4.2, "the capabilities that alignment has to work with, and where "
         "they fail", size=10, color="#555555", style="italic", right=W - 1.5)
    y = top - 7.6
    b1, _ = area(2.0, y, W - 4, "Reasoning and its failures", "Reasoning and its failures",
                 "latent reasoning · verification · generalisation", ["reasoning"], ncol=3)
    b2, _ = area(2.0, b1 - 1.4, W - 4, "Capabilities & architecture",
                 "Capabilities & architecture", "long context · positional encoding · "
                 "symbolic tasks · vision · knowledge graphs", ["capabilities"], ncol=2)
    bottom = b2 - 1.4
    box(0.5, bottom, W - 1, top - bottom, "#555555", fill=0.97, lw=0.9, ls=(0, (5, 3)), z=0)

    # Crop the unused space at the bottom, then shrink any label that overflows its box.
    ax.set_ylim(bottom - 0.5, H)
    fig.set_size_inches(W / 10, (H - bottom + 0.5) / 10)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    for t, x_max in fitted:
        for _ in range(12):
            bb = t.get_window_extent(renderer)
            if inv.transform((bb.x1, bb.y1))[0] <= x_max:
                break
            t.set_fontsize(t.get_fontsize() - 0.5)

    written = []
    for fmt in formats:
        path = out_dir / f"map.{fmt}"
        meta = {"Date": None} if fmt == "svg" else {}
        fig.savefig(path, dpi=200, metadata=meta)
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
