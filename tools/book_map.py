"""The map of the book: the alignment survey's taxonomy (Shen et al. 2023) with every chapter
of ``book/chapters.yml`` placed in its box (``box:``), drawn to ``book/_static/map.png`` and
``map.svg`` by ``python tools/make_pages.py``.

The taxonomy is data: :data:`GROUPS` (the coloured areas), :data:`BOXES` (the leaf boxes a
chapter can sit in) and :data:`LAYOUT` (which areas and boxes the figure shows, top to
bottom, with their titles). :func:`draw_map` lays them out.
"""
from __future__ import annotations

import math
from pathlib import Path

from rindoku.book import ROOT, chapter_name, notebook_exists


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

#: The leaf boxes a chapter can sit in (``box:`` in ``book/chapters.yml``): the group whose
#: colour they take, their title, the survey's topics under it, and the columns of chips.
BOXES = {
    "rl": {"group": "Outer alignment", "title": "RL-based (RLHF and its variants)"},
    "sft": {"group": "Outer alignment", "title": "Supervised (SFT, ranking, feedback)"},
    "cai": {"group": "Outer alignment", "title": "Constitutional AI / self-feedback"},
    "inner": {"group": "Inner alignment", "title": "Inner alignment",
              "topics": "proxy goals · mesa-optimisation · deception"},
    "attacks": {"group": "Attacks", "title": "Attacks",
                "topics": "privacy · backdoor · adversarial"},
    "interp": {"group": "Interpretability & evaluation", "title": "Interpretability",
               "topics": "mechanistic · explanations"},
    "eval": {"group": "Interpretability & evaluation", "title": "Evaluation",
             "topics": "factuality · ethics · toxicity · bias"},
    "reasoning": {"group": "Reasoning and its failures", "title": "Reasoning and its failures",
                  "topics": "latent reasoning · verification · generalisation", "ncol": 3},
    "capabilities": {"group": "Capabilities & architecture",
                     "title": "Capabilities & architecture",
                     "topics": "long context · positional encoding · symbolic tasks · vision · "
                               "knowledge graphs", "ncol": 2},
}

#: The figure, top to bottom. A row is
#:
#: * ``note``: a grey band with a title and a line of text;
#: * ``columns``: a group in titled columns, each a list of lines: a box of :data:`BOXES`
#:   (its title, then its chapters) or a topic of the survey with no box;
#: * ``side by side``: boxes drawn as areas next to each other, equally tall;
#: * ``frame``: a dashed frame with a title and a line of text around boxes drawn as areas,
#:   one under the other.
LAYOUT = [
    {"row": "note", "title": "Why alignment",
     "text": "harmful or unfaithful content · malicious use · societal impact · "
             "risks of advanced AI"},
    {"row": "columns", "group": "Outer alignment", "columns": [
        {"title": "Non-recursive oversight", "lines": ["rl", "sft"]},
        {"title": "Scalable oversight",
         "lines": ["Task decomposition", "cai", "Debate · market making · proxy tasks"]},
    ]},
    {"row": "side by side", "boxes": ["inner", "attacks"]},
    {"row": "side by side", "boxes": ["interp", "eval"]},
    {"row": "frame", "title": "Beyond the survey's taxonomy",
     "text": "the capabilities that alignment has to work with, and where they fail",
     "boxes": ["reasoning", "capabilities"]},
]


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
            url = None
            if notebook_exists(ch, root):
                box(cx, cy, cw, h, color, fill=0.08, lw=1.2, r=0.8, z=3)
                tcolor, style = "white", "normal"
                # the SVG is served from _static/: a chip links to its chapter's page
                url = f"../notebooks/{chapter_name(ch)}.html"
                ax.patches[-1].set_url(url)
            else:
                box(cx, cy, cw, h, "#9a9a9a", fill=0.93, lw=1.1, ls=(0, (3, 2)), r=0.8, z=3)
                tcolor, style = "#5f5f5f", "italic"
            text(cx + 1.0, cy + h / 2, f"{ch['number']:02d}", size=11.5, color=tcolor,
                 weight="bold", va="center").set_url(url)
            text(cx + 4.6, cy + h / 2, ch["short"], size=11, color=tcolor, va="center",
                 style=style, right=cx + cw - 0.5).set_url(url)
        return nrow * h + (nrow - 1) * gap

    def area(x, y_top, w, key, pad=1.5, draw_box=True):
        """Box ``key`` as a coloured area: title, topics, chips; returns its bottom y."""
        spec = BOXES[key]
        col = GROUP_COLOR[spec["group"]]
        y = y_top - 1.2
        text(x + pad, y, spec["title"].upper(), size=11.5, weight="bold", color=col)
        y -= 3.0
        text(x + pad, y, spec.get("topics", ""), size=10, color="#333333", right=x + w - 0.8)
        y -= 3.4
        used = chips(key, x + pad, y, w - 2 * pad, ncol=spec.get("ncol", 1))
        y -= used + (1.2 if used else 0)
        if not used:
            text(x + pad, y + 0.4, "no chapter yet", size=10, color="#777777", style="italic")
            y -= 3.0
        bottom = y - 0.6
        if draw_box:
            box(x, bottom, w, y_top - bottom, col, fill=0.93)
        return bottom

    def note(y, row):
        box(0.5, y - 6.4, W - 1, 6.4, "#555555", fill=0.92, lw=1.0)
        text(2.0, y - 1.0, row["title"].upper(), size=11.5, weight="bold", color="#333333")
        text(2.0, y - 3.6, row["text"], size=10, color="#333333", right=W - 1.5)
        return y - 6.4

    def columns(top, row):
        c = GROUP_COLOR[row["group"]]
        text(2.0, top - 1.2, row["group"].upper(), size=12, weight="bold", color=c)
        n = len(row["columns"])
        col_w = (W - 4.0 - 1.5 * (n - 1)) / n
        sub_top, ends = top - 4.8, []
        for i, column in enumerate(row["columns"]):
            x = 2.0 + i * (col_w + 1.5) + 1.2
            y = sub_top - 1.0
            text(x, y, column["title"], size=11, weight="bold", color=c)
            y -= 3.4
            for line in column["lines"]:
                text(x, y, BOXES[line]["title"] if line in BOXES else line, size=10,
                     color="#333333", right=x + col_w - 1.8)
                y -= 3.2
                if line in BOXES:
                    used = chips(line, x, y, col_w - 2.4)
                    if not used:
                        text(x, y, "no chapter yet", size=10, color="#777777", style="italic")
                        used = 2.4
                    y -= used + 1.2
            ends.append(y)
        sub_bot = min(ends)
        for i in range(n):
            box(2.0 + i * (col_w + 1.5), sub_bot, col_w, sub_top - sub_bot, c, fill=0.97, lw=0.9)
        bottom = sub_bot - 1.2
        box(0.5, bottom, W - 1, top - bottom, c, fill=0.93)
        return bottom

    def side_by_side(y, row):
        n = len(row["boxes"])
        w = (W - 1 - 1.5 * (n - 1)) / n
        xs = [0.5 + i * (w + 1.5) for i in range(n)]
        low = min(area(x, y, w, key, draw_box=False) for x, key in zip(xs, row["boxes"]))
        for x, key in zip(xs, row["boxes"]):  # every area of the row ends at the same height
            box(x, low, w, y - low, GROUP_COLOR[BOXES[key]["group"]], fill=0.93)
        return low

    def frame(top, row):
        text(2.0, top - 1.2, row["title"].upper(), size=11.5, weight="bold", color="#555555")
        text(2.0, top - 4.2, row["text"], size=10, color="#555555", style="italic",
             right=W - 1.5)
        y = top - 7.6 + 1.4
        for key in row["boxes"]:
            y = area(2.0, y - 1.4, W - 4, key)
        bottom = y - 1.4
        box(0.5, bottom, W - 1, top - bottom, "#555555", fill=0.97, lw=0.9, ls=(0, (5, 3)), z=0)
        return bottom

    # Title and legend
    text(1.0, H - 1.0, "Where the chapters sit", size=17, weight="bold")
    text(1.0, H - 5.2, "The taxonomy of the alignment survey (Shen et al. 2023,\n"
         "arXiv:2309.15025), with each chapter of the book placed on it", size=10.5,
         color="#444444")
    # the legend describes only what is drawn: needed while some chapters are still to come
    if not all(notebook_exists(ch, root) for ch in registry["chapters"]):
        box(57.0, H - 4.6, 3.6, 2.6, "#3b6fb6", fill=0.08, r=0.6)
        text(61.4, H - 3.3, "written", size=10.5, va="center")
        box(57.0, H - 8.4, 3.6, 2.6, "#9a9a9a", fill=0.93, ls=(0, (3, 2)), r=0.6)
        text(61.4, H - 7.1, "coming", size=10.5, va="center", color="#5f5f5f",
             style="italic")

    # The rows of LAYOUT, each under the one before
    draw_row = {"note": note, "columns": columns, "side by side": side_by_side, "frame": frame}
    y = H - 12.5
    for row in LAYOUT:
        bottom = draw_row[row["row"]](y, row)
        y = bottom - 1.6

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
        if fmt == "svg":  # links open the chapter in the page, not inside the embedded map
            svg = path.read_text(encoding="utf-8")
            path.write_text(svg.replace('target="_blank"', 'target="_top"'),
                            encoding="utf-8")
        written.append(path)
    plt.close(fig)
    return written


