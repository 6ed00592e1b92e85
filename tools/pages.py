"""The book's generated pages: the table of chapters, the chapters by area of the map, and
the results page (the reproduction scoreboard), all from the book's data
(:mod:`rindoku.book`: ``book/chapters.yml``, ``_toc.yml``, ``results/``).

``python tools/make_pages.py`` writes them to ``book/_generated/``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from rindoku.book import (ARXIV, ROOT, chapter_name, in_book, load_results, load_sweeps,
                          notebook_exists, registry_by_name)
from rindoku.claims import OPS, VERDICT_MARKS
from rindoku.formatting import format_number
from rindoku.sweeps import sweep_verdict

from tools.book_map import BOXES, GROUPS


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
    r"""A value in a markdown table cell: numbers as the book writes them
    (:func:`rindoku.formatting.format_number`), text with markdown's own characters escaped.

    >>> _cell(4.37e-05), _cell(-3), _cell("a_b"), _cell(None), _cell([1, 0.5])
    ('4.37×10⁻⁵', '−3', 'a\\_b', '—', '1, 0.5')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    text = str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    for ch in "*_`[]<>":
        text = text.replace(ch, "\\" + ch)
    return text.strip() or "—"


def _chapter_label(name: str, registry: dict | None, root: Path | str | None = None,
                   title: str | None = None) -> str:
    """``07 · Reversal curse``, linked to the notebook page if it exists."""
    ch = registry_by_name(registry).get(name)
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
        if op == "in":
            return f"in [{_cell(t[0])}, {_cell(t[1])}]"
        if op == "out":
            return f"≤ {_cell(t[0])} or ≥ {_cell(t[1])}"
        return f"{OPS[op]} {_cell(t)}"
    return _cell(claim.get("test"))


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
            verdict = sweep_verdict("paper", k, n)
        else:
            verdict = claim.get("expect") or "—"
        return f"{VERDICT_MARKS.get(verdict, '')} {verdict}".strip(), seeds
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
    ch = registry_by_name(registry).get(name)
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
            mates = ", ".join(label(by_num[n]) for n in ch.get("read_with", []) if n in by_num)
            out.append(f"| {label(ch)} | {_cell(ch['area'])} | {_cell(ch['hook'])} "
                       f"| {mates or '—'} |")
    return "\n".join(out) + "\n"




def render_decks(registry: dict, root: Path | str = ROOT) -> str:
    """Markdown table of the seminar decks and their PDFs, for ``book/_generated/decks.md``
    (included by ``book/seminar.md``): one row per written chapter, named as everywhere else.

    >>> print(render_decks({"chapters": [{"number": 7, "slug": "x", "short": "X"}]}, "/nowhere"))
    <!-- Generated by tools/make_pages.py from book/chapters.yml; do not edit. -->
    <BLANKLINE>
    | Chapter | Deck (in the browser) | PDF (to upload or print) |
    |---|---|---|
    <BLANKLINE>
    """
    out = ["<!-- Generated by tools/make_pages.py from book/chapters.yml; do not edit. -->", "",
           "| Chapter | Deck (in the browser) | PDF (to upload or print) |", "|---|---|---|"]
    for ch in registry["chapters"]:
        if not notebook_exists(ch, root):
            continue
        name = chapter_name(ch)
        out.append(f"| {ch['number']:02d} · {ch['short']} "
                   f'| <a href="../slides/{name}.slides.html">deck</a> '
                   f'| <a href="../slides/{name}.slides.pdf">PDF</a> |')
    return "\n".join(out) + "\n"
