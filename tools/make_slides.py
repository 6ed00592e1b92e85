"""Build each chapter's seminar deck (輪読会のスライド): reveal.js, in Japanese, offline.

    python tools/make_slides.py [--out _build/html/slides] [--no-pdf] [NN_slug ...]

A deck presents one paper the way a 輪読会 does, in a fixed order, 10–16 slides:

1. 書誌情報 — title, authors, venue and year, arXiv link (``book/chapters.yml`` and
   ``book/references.bib``);
2. 概要, 3. 背景, 4. 手法 (the paper's key equation beside a plain-words reading),
   5. 本書の実験 (the paper's setting beside our small world) — from ``book/decks/NN_slug.yml``;
6. 結果 — the chapter's own figures, one a slide: the image outputs of the notebook's
   ``## Results`` section (all its figures when that section has none), at most four, with the
   captions of the deck file's ``figures``;
7. 論文 vs 本書 — the claims of ``results/NN_slug.json`` as a titled table (claim, paper, ours,
   verdict), at most six rows a slide;
8. 再現できたこと・できなかったこと — each paper claim ✓/◐/✗ with the number of seeds of
   ``results/sweeps/NN_slug.json`` it held on, the controls counted apart (「未分類」 for a
   chapter whose claims are not yet classified);
9. 議論, 10. 参考文献.

So the numbers are never stale: every number on a slide is read from the results files at
build time, and every figure from the executed notebook.

The deck file (``book/decks/NN_slug.yml``) holds only the words a presenter says::

    overview: 主張を 3 行以内で（文字列、または 3 項目以内のリスト）
    background: [背景の箇条書き, 4 項目以内]
    method:
      equation: '\\pi^* = \\arg\\max_\\pi \\min_{\\pi'} \\mathcal{P}(\\pi \\succ \\pi')'   # KaTeX
      reading: [式の読み方, 4 項目以内]
    experiment:
      paper: [論文の設定, 4 項目以内]
      ours: [本書の小さな世界, 4 項目以内]
    figures: [結果の図の日本語キャプション（図の順に）]          # optional
    figure_select: [2]        # optional: which of the chapter's figures to show (1-based)
    claims_ja: {results の claim 名: 短い日本語ラベル}           # optional
    paper_ja: {results の claim 名: 論文の値の日本語表記}        # optional
    discussion: [議論の問い, 4 項目以内]
    references: [参考文献に加える文献]                          # optional

Text may hold inline math ``$...$`` (KaTeX) and ``**bold**``; everything else is plain text.

Reveal.js and KaTeX come from pinned npm packages (``tools/slides/package.json`` and its lock
file; ``npm ci`` installs them into ``tools/slides/node_modules``); their dist files are
copied next to the decks, and the formulas are rendered to HTML at build time with KaTeX
(``tools/slides/render_math.js``), so a deck needs no network and shows no raw TeX. With
Chromium present, each deck is also printed to PDF (reveal's ``?print-pdf`` view).

The decks are written to ``_build/html/slides/NN_slug.slides.html`` (the chapter's first cell
links there: ``slides_line`` of the stamping tool), their PDFs next to them.
``tools/check_slides.py`` opens every deck in headless Chromium and checks that each slide
fits 1280×720 with text of at least 24 px.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rindoku import book
from rindoku.formatting import format_value

ROOT = Path(__file__).resolve().parents[1]
DECKS = ROOT / "book" / "decks"
NODE_DIR = ROOT / "tools" / "slides"
ARXIV = "https://arxiv.org/abs/{}"

#: The deck's size: reveal.js lays every slide out at this size and scales it to the screen.
WIDTH, HEIGHT = 1280, 720
#: At most this many rows of the claims table on one slide, figures in a deck.
TABLE_ROWS, MAX_FIGURES = 6, 4
#: The required keys of a deck file and the most items each list may have.
LIMITS = {"overview": 3, "background": 4, "method.reading": 4, "experiment.paper": 4,
          "experiment.ours": 4, "discussion": 4}
#: What the assets are copied from (inside node_modules) and to (inside the output folder).
ASSETS = {"reveal.js/dist/reveal.js": "lib/reveal/reveal.js",
          "reveal.js/dist/reveal.css": "lib/reveal/reveal.css",
          "reveal.js/dist/reset.css": "lib/reveal/reset.css",
          "reveal.js/LICENSE": "lib/reveal/LICENSE",
          "katex/dist/katex.min.css": "lib/katex/katex.min.css",
          "katex/dist/fonts": "lib/katex/fonts",
          "katex/LICENSE": "lib/katex/LICENSE"}


# ------------------------------------------------------------------------ the sources
def load_registry() -> dict:
    """``book/chapters.yml``: chapter name (``01_nlhf_nash_md``) → its entry."""
    return book.registry_by_name(book.load_registry(ROOT))


def chapter_names() -> list[str]:
    """The chapters whose notebook exists, in order."""
    return [p.stem for p in book.notebooks(ROOT)]


def load_deck(name: str, folder: Path = DECKS) -> dict:
    """The deck file of chapter ``name`` (``book/decks/NN_slug.yml``), checked."""
    path = Path(folder) / f"{name}.yml"
    if not path.is_file():
        raise FileNotFoundError(f"make_slides: no deck file {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems = deck_problems(data)
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return data


def _get(data: dict, dotted: str):
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def deck_problems(data: dict) -> list[str]:
    """What is wrong with a deck file's content (empty when nothing is).

    >>> deck_problems({"overview": "主張", "background": ["a"], "method": {"equation": "x",
    ...     "reading": ["b"]}, "experiment": {"paper": ["c"], "ours": ["d"]},
    ...     "discussion": ["e"] * 5})
    ['discussion: 5 items, at most 4']
    """
    out = []
    for key, most in LIMITS.items():
        value = _get(data, key)
        if value is None or value == [] or value == "":
            out.append(f"{key}: missing")
            continue
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            out.append(f"{key}: a string or a list of strings")
        elif len(items) > most:
            out.append(f"{key}: {len(items)} items, at most {most}")
    if not isinstance(_get(data, "method.equation"), str):
        out.append("method.equation: missing (the paper's key equation, KaTeX)")
    for key in ("figures", "discussion", "references", "figure_select"):
        if data.get(key) is not None and not isinstance(data.get(key), list):
            out.append(f"{key}: a list")
    for key in ("claims_ja", "paper_ja"):
        if data.get(key) is not None and not isinstance(data.get(key), dict):
            out.append(f"{key}: a mapping from claim name to text")
    return out


def load_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def notebook_figures(path: Path, most: int = MAX_FIGURES) -> list[tuple[str, bytes]]:
    """The chapter's key figures as ``(mime, data)``: the image outputs of its ``## Results``
    section, or every figure of the notebook when that section has none; at most ``most``."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    section, in_results, everywhere = None, [], []
    for cell in nb.get("cells", []):
        src = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            heads = [line[3:].strip() for line in src.splitlines() if line.startswith("## ")]
            if heads:
                section = heads[-1]
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for mime in ("image/png", "image/jpeg", "image/svg+xml"):
                if mime in data:
                    raw = data[mime]
                    raw = "".join(raw) if isinstance(raw, list) else raw
                    blob = raw.encode() if mime == "image/svg+xml" else base64.b64decode(raw)
                    everywhere.append((mime, blob))
                    if section and section.lower().startswith("results"):
                        in_results.append((mime, blob))
                    break
    return (in_results or everywhere)[:most]


def png_size(blob: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, from its header."""
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(blob[16:20], "big"), int.from_bytes(blob[20:24], "big")


# ------------------------------------------------------------------------ formatting
def number(value) -> str:
    """A number as a slide shows it: the book's format (:func:`rindoku.formatting.format_value`:
    three significant digits, a true minus sign, powers of ten as ``×10⁻⁵``, thousands
    separated), with yes/no in Japanese and NaN as a dash.

    >>> number(0.96666), number(1.0), number(-0.25), number(4.37e-05), number(123456.0)
    ('0.967', '1', '−0.25', '4.37×10⁻⁵', '123,456')
    >>> number(7), number(None), number("≈ 0.8"), number(True), number(float("nan"))
    ('7', '—', '≈ 0.8', 'はい', '—')
    """
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, float) and math.isnan(value):
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(number(v) for v in value)
    return format_value(value)


def parse_number(text: str) -> float | None:
    """The number a slide shows, read back (the inverse of :func:`number`).

    >>> parse_number("−0.25"), parse_number("4.37×10⁻⁵"), parse_number("123,456")
    (-0.25, 4.37e-05, 123456.0)
    """
    text = text.strip().replace("−", "-").replace(",", "")
    m = re.fullmatch(r"(-?[\d.]+)(?:×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?", text)
    if not m:
        return None
    exp = m.group(2)
    if exp:
        exp = int(exp.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        return float(f"{m.group(1)}e{exp}")
    return float(m.group(1))


class Math:
    """Collects the TeX of a deck and renders it all at once with the pinned KaTeX.

    ``render`` maps a list of ``(tex, display)`` to a list of HTML strings; the default runs
    ``node tools/slides/render_math.js``. Text is written with placeholders first
    (:meth:`add`) and filled in by :meth:`fill`."""

    def __init__(self, render=None):
        self.items: list[tuple[str, bool]] = []
        self.render = render or render_with_katex

    def add(self, tex: str, display: bool = False) -> str:
        self.items.append((tex.strip(), display))
        return f"\x00math{len(self.items) - 1}\x00"

    def fill(self, text: str) -> str:
        if not self.items:
            return text
        rendered = self.render(self.items)
        return re.sub("\x00math(\\d+)\x00", lambda m: rendered[int(m.group(1))], text)


def render_with_katex(items: list[tuple[str, bool]]) -> list[str]:
    """Render TeX to HTML with KaTeX from ``tools/slides/node_modules`` (one node process)."""
    script = NODE_DIR / "render_math.js"
    if not (NODE_DIR / "node_modules" / "katex").is_dir():
        raise SystemExit("make_slides: KaTeX is not installed; run `npm ci` in tools/slides "
                         "(`make slides` does)")
    proc = subprocess.run(["node", str(script)], input=json.dumps(
        [{"tex": t, "display": d} for t, d in items]), capture_output=True, text=True,
        cwd=NODE_DIR, check=False)
    if proc.returncode:
        raise ValueError(f"KaTeX could not render a formula:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)


def fake_math(items: list[tuple[str, bool]]) -> list[str]:
    """A stand-in for KaTeX in tests: the TeX, escaped, in a ``katex`` span."""
    return [f'<span class="katex">{html.escape(t)}</span>' for t, _ in items]


def text(value: str, math_: Math) -> str:
    """Plain text to HTML: ``$...$`` becomes KaTeX, ``**...**`` bold, the rest is escaped.

    >>> m = Math(fake_math); m.fill(text("損失 $\\\\beta$ は **小さい** <b>", m))
    '損失 <span class="katex">\\\\beta</span> は <strong>小さい</strong> &lt;b&gt;'
    """
    parts = re.split(r"(\$\$[^$]+\$\$|\$[^$]+\$)", str(value).strip())
    out = []
    for part in parts:
        if part.startswith("$$") and part.endswith("$$") and len(part) > 4:
            out.append(math_.add(part[2:-2], display=True))
        elif part.startswith("$") and part.endswith("$") and len(part) > 2:
            out.append(math_.add(part[1:-1]))
        else:
            esc = html.escape(part, quote=False)
            out.append(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc))
    return "".join(out)


def bib_authors(key: str) -> str | None:
    """The full author list of ``book/references.bib``'s entry ``key``, as names.

    >>> bib_authors("li2023rain")
    'Yuhui Li, Fangyun Wei, Jinjing Zhao, Chao Zhang, Hongyang Zhang'
    """
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    m = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", bib, re.DOTALL)
    if not m:
        return None
    a = re.search(r"author\s*=\s*\{(.*?)\},\s*\n", m.group(1), re.DOTALL)
    if not a:
        return None
    raw = re.sub(r"\s+", " ", a.group(1))
    accents = {"\\'": "\u0301", '\\"': "\u0308", "\\`": "\u0300", "\\^": "\u0302",
               "\\~": "\u0303", "\\c": "\u0327"}
    raw = re.sub(r"\{\\([`'\"^~c])\{?(\w)\}?\}",
                 lambda m: m.group(2) + accents.get("\\" + m.group(1), ""), raw)
    import unicodedata

    raw = unicodedata.normalize("NFC", raw.replace("{", "").replace("}", ""))
    names = []
    for person in raw.split(" and "):
        last, _, first = person.partition(",")
        names.append(f"{first.strip()} {last.strip()}".strip())
    if len(names) > 6:
        return ", ".join(names[:4]) + f" ほか（全 {len(names)} 名）"
    return ", ".join(names)


# ------------------------------------------------------------------------ verdicts
MARK = {"reproduced": "✓", "partly": "◐", "not reproduced": "✗"}
VERDICT_JA = {"reproduced": "再現", "partly": "一部再現", "not reproduced": "再現せず"}


@dataclass
class Verdict:
    """One claim's verdict as a deck shows it."""

    kind: str | None          # "paper", "control" or None (not yet classified)
    verdict: str              # reproduced / partly / not reproduced / holds / fails / unclassified
    k: int | None             # seeds it held on
    n: int | None             # seeds swept

    @property
    def seeds(self) -> str:
        return f"{self.k}/{self.n} シード" if self.n else "スイープ外"

    @property
    def label(self) -> str:
        if self.kind == "paper":
            return f"{MARK.get(self.verdict, '')} {VERDICT_JA.get(self.verdict, self.verdict)}"
        if self.kind == "control":
            return "対照・成立" if self.verdict == "holds" else "‼ 対照・不成立"
        return "未分類"


def claim_verdict(claim: dict, sweep: dict | None) -> Verdict:
    """A claim's verdict: a paper claim's from the sweep (held on every seed: reproduced, on
    none: not reproduced, else partly), else the one the chapter declares; a control holds
    when it held on every seed; an unclassified claim is 「未分類」.

    >>> sw = {"claims": [{"name": "c", "holds": {"0": True, "1": False}}]}
    >>> v = claim_verdict({"name": "c", "kind": "paper", "expect": "partly"}, sw)
    >>> v.label, v.seeds
    ('◐ 一部再現', '1/2 シード')
    >>> claim_verdict({"name": "c", "kind": None, "holds": True}, sw).label
    '未分類'
    """
    s = next((c for c in (sweep or {}).get("claims", []) if c.get("name") == claim.get("name")),
             None)
    k = n = None
    if s is not None and s.get("holds"):
        n = len(s["holds"])
        k = sum(1 for v in s["holds"].values() if v)
    kind = claim.get("kind")
    if kind == "paper":
        if n:
            verdict = "reproduced" if k == n else ("not reproduced" if k == 0 else "partly")
        else:
            verdict = claim.get("expect") or ("reproduced" if claim.get("holds")
                                              else "not reproduced")
    elif kind == "control":
        verdict = "holds" if ((k == n) if n else claim.get("holds")) else "fails"
    else:
        kind, verdict = None, "unclassified"
    return Verdict(kind, verdict, k, n)


def ordered_claims(result: dict) -> list[dict]:
    """Paper claims first, then controls, then unclassified claims (the results page's order)."""
    order = {"paper": 0, "control": 1}
    return sorted(result.get("claims") or [], key=lambda c: order.get(c.get("kind"), 2))


# ------------------------------------------------------------------------ the slides
@dataclass
class Slide:
    kind: str                 # biblio, overview, background, method, experiment, result,
    title: str                # table, verdicts, discussion, references
    body: str
    classes: list[str] = field(default_factory=list)


def _ul(items, m: Math, cls: str = "") -> str:
    items = [items] if isinstance(items, str) else items
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{text(i, m)}</li>" for i in items) + "</ul>"


def _chunks(rows: list, size: int) -> list[list]:
    """``rows`` in nearly equal slices of at most ``size``.

    >>> [len(c) for c in _chunks(list(range(13)), 6)]
    [5, 4, 4]
    """
    if not rows:
        return [[]]
    parts = math.ceil(len(rows) / size)
    base, extra = divmod(len(rows), parts)
    out, at = [], 0
    for i in range(parts):
        n = base + (1 if i < extra else 0)
        out.append(rows[at:at + n])
        at += n
    return out


def _row_weight(cells: list[str]) -> int:
    """Rough number of lines a table row takes at the deck's table font."""
    widths = (30, 14, 12, 12)  # characters a line holds in each column (CJK count double)
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
    return max(math.ceil(max(1, width(c)) / w) for c, w in zip(cells, widths))


def claim_rows(result: dict, sweep: dict | None, deck: dict) -> list[dict]:
    """One row per claim: label, paper, ours (with its null), verdict (with seeds)."""
    names_ja = deck.get("claims_ja") or {}
    paper_ja = deck.get("paper_ja") or {}
    rows = []
    for c in ordered_claims(result):
        v = claim_verdict(c, sweep)
        ours = number(c.get("ours"))
        null = number(c["null"]) if c.get("null") is not None else None
        paper = paper_ja.get(c["name"], c.get("paper"))
        rows.append({"name": c["name"], "label": names_ja.get(c["name"], c["name"]),
                     "paper": number(paper) if paper is not None else "—",
                     "ours": ours, "null": null, "verdict": v})
    return rows


def build_slides(name: str, deck: dict, chapter: dict, result: dict | None,
                 sweep: dict | None, figures: list[str], m: Math,
                 registry: dict | None = None) -> list[Slide]:
    """The slides of one deck, in the fixed order (``figures`` are image URLs)."""
    p = chapter["paper"]
    num = int(chapter["number"])
    slides = []
    authors = bib_authors(p.get("bibkey", "")) or p["authors"]
    arxiv = ARXIV.format(p["arxiv"])
    slides.append(Slide("biblio", "書誌情報", (
        f'<p class="paper-title">{html.escape(p["title"])}</p>'
        f'<dl class="biblio">'
        f'<dt>著者</dt><dd>{html.escape(authors)}</dd>'
        f'<dt>発表</dt><dd>{html.escape(str(p["venue"]))}（{p["year"]} 年）</dd>'
        f'<dt>arXiv</dt><dd><a href="{arxiv}">arXiv:{html.escape(p["arxiv"])}</a></dd>'
        f'<dt>本書</dt><dd>第 {num} 章「{html.escape(chapter["short"])}」'
        f'（<a href="../notebooks/{name}.html">章のページ</a>）</dd>'
        f'<dt>発表者</dt><dd class="blank">　</dd></dl>'), ["title-slide"]))
    overview = deck["overview"]
    overview = [overview] if isinstance(overview, str) else overview
    slides.append(Slide("overview", "概要", "".join(
        f'<p class="lead">{text(o, m)}</p>' for o in overview)))
    slides.append(Slide("background", "背景", _ul(deck["background"], m)))
    eq = m.add(deck["method"]["equation"], display=True)
    slides.append(Slide("method", "手法", (
        f'<div class="two method"><div class="equation">{eq}</div>'
        f'<div class="reading"><p class="col-head">読み方</p>'
        f'{_ul(deck["method"]["reading"], m)}</div></div>')))
    ex = deck["experiment"]
    slides.append(Slide("experiment", "本書の実験", (
        f'<div class="two even"><div><p class="col-head">論文</p>{_ul(ex["paper"], m)}</div>'
        f'<div><p class="col-head">本書</p>{_ul(ex["ours"], m)}</div></div>')))
    captions = deck.get("figures") or []
    for i, fig in enumerate(figures):
        src, size = (fig, None) if isinstance(fig, str) else fig
        cap = captions[i] if i < len(captions) and captions[i] else ""
        title = "結果" + (f"（{i + 1}/{len(figures)}）" if len(figures) > 1 else "")
        alt = re.sub(r"\$|\*\*", "", cap) or f"第 {num} 章の結果の図 {i + 1}"
        img = f'<div class="figure"><img src="{src}" alt="{html.escape(alt)}"></div>'
        if cap and size and size[0] / size[1] < 1.45:  # a tall figure: caption beside it
            slides.append(Slide("result", title, (
                f'<div class="side">{img}<p class="caption">{text(cap, m)}</p></div>')))
        else:
            slides.append(Slide("result", title, (
                (f'<p class="caption">{text(cap, m)}</p>' if cap else "") + img)))
    slides += table_slides(name, result, sweep, deck)
    slides += verdict_slides(result, sweep, deck)
    slides.append(Slide("discussion", "議論", "<ol>" + "".join(
        f"<li>{text(q, m)}</li>" for q in deck["discussion"]) + "</ol>"))
    refs = [(f'{html.escape((authors if len(authors) < 80 else p["authors"]).rstrip("."))}. '
            f'<em>{html.escape(p["title"])}</em>. {html.escape(str(p["venue"]))}, {p["year"]}. '
            f'<a href="{arxiv}">arXiv:{html.escape(p["arxiv"])}</a>')]
    refs += [text(r, m) for r in deck.get("references") or []]
    for other in chapter.get("read_with") or []:
        o = next((c for c in (registry or {}).values() if int(c["number"]) == int(other)),
                 None)
        if o:
            op = o["paper"]
            refs.append(f'あわせて読む: 第 {int(other)} 章「{html.escape(o["short"])}」— '
                        f'{html.escape(op["authors"])} ({op["year"]}), '
                        f'<a href="{ARXIV.format(op["arxiv"])}">arXiv:{html.escape(op["arxiv"])}</a>')
    slides.append(Slide("references", "参考文献",
                        '<ul class="refs">' + "".join(f"<li>{r}</li>" for r in refs[:5])
                        + "</ul>"))
    return slides


def table_slides(name: str, result: dict | None, sweep: dict | None, deck: dict) -> list[Slide]:
    """論文 vs 本書: the claims table, split so that no slide has more than six rows."""
    if not result or not result.get("claims"):
        return [Slide("table", "論文 vs 本書", '<p class="lead">この章の結果ファイルはまだありません。</p>')]
    rows = claim_rows(result, sweep, deck)
    # split by rows and by how tall the rows are (long labels wrap), then spread the rows
    # evenly over as many slides as that took when the even split fits as well
    def weight(r):
        return _row_weight([r["label"], r["paper"],
                            r["ours"] + (f"（帰無 {r['null']}）" if r["null"] else ""),
                            r["verdict"].label + r["verdict"].seeds])

    budget = 14
    pages, page, used = [], [], 0
    for r in rows:
        w = weight(r)
        if page and (len(page) >= TABLE_ROWS or used + w > budget):
            pages.append(page)
            page, used = [], 0
        page.append(r)
        used += w
    pages.append(page)
    even = _chunks(rows, math.ceil(len(rows) / len(pages)))
    if len(even) == len(pages) and all(sum(weight(r) for r in pg) <= budget for pg in even):
        pages = even
    seed = result.get("seed", 0)
    n = len((sweep or {}).get("seeds") or [])
    cap = (f"表　論文の値と本書の測定値（既定の実行、シード {seed}）"
           + (f"。判定はシード {n} 個のスイープによる" if n else ""))
    out = []
    for i, pg in enumerate(pages):
        body = [(f'<table class="claims"><caption>{cap}</caption><thead><tr><th>主張</th>'
                '<th>論文</th><th>本書</th><th>判定</th></tr></thead><tbody>')]
        for r in pg:
            v = r["verdict"]
            ours = (f'<span class="num" data-ours>{html.escape(r["ours"])}</span>'
                    + (f'<span class="null">帰無 <span class="num">{html.escape(r["null"])}'
                       '</span></span>' if r["null"] else ""))
            body.append(
                f'<tr data-claim="{html.escape(r["name"])}" data-kind="{v.kind or "unclassified"}"'
                f' data-k="{"" if v.k is None else v.k}" data-n="{"" if v.n is None else v.n}">'
                f'<td>{html.escape(r["label"])}</td><td>{html.escape(r["paper"])}</td>'
                f'<td class="ours">{ours}</td>'
                f'<td class="verdict v-{v.verdict.replace(" ", "-")}">{html.escape(v.label)}'
                f'<span class="seeds">{html.escape(v.seeds)}</span></td></tr>')
        body.append("</tbody></table>")
        title = "論文 vs 本書" + (f"（{i + 1}/{len(pages)}）" if len(pages) > 1 else "")
        out.append(Slide("table", title, "".join(body)))
    return out


def verdict_slides(result: dict | None, sweep: dict | None, deck: dict) -> list[Slide]:
    """再現できたこと・できなかったこと: paper claims with k of n seeds, controls apart."""
    title = "再現できたこと・できなかったこと"
    claims = (result or {}).get("claims") or []
    if not claims:
        return [Slide("verdicts", title, '<p class="lead">結果ファイルがまだありません。</p>')]
    names_ja = deck.get("claims_ja") or {}
    vs = [(c, claim_verdict(c, sweep)) for c in ordered_claims(result)]
    n = len((sweep or {}).get("seeds") or []) or None
    rank = {"reproduced": 0, "partly": 1, "not reproduced": 2}
    paper = sorted(((c, v) for c, v in vs if v.kind == "paper"),
                   key=lambda cv: rank.get(cv[1].verdict, 3))
    controls = [(c, v) for c, v in vs if v.kind == "control"]
    other = [(c, v) for c, v in vs if v.kind is None]
    lines = []
    for c, v in paper:
        lines.append(f'<li class="v-{v.verdict.replace(" ", "-")}" data-claim="{html.escape(c["name"])}"'
                     f' data-k="{"" if v.k is None else v.k}" data-n="{"" if v.n is None else v.n}">'
                     f'<span class="mark">{MARK[v.verdict]}</span>'
                     f'{html.escape(names_ja.get(c["name"], c["name"]))}'
                     f'<span class="seeds">{html.escape(v.seeds)}</span></li>')
    summary = []
    if paper:
        cnt = {e: sum(1 for _, v in paper if v.verdict == e) for e in MARK}
        summary.append(f'論文の主張 {len(paper)} 件: ✓ 再現 {cnt["reproduced"]}・◐ 一部 '
                       f'{cnt["partly"]}・✗ 再現せず {cnt["not reproduced"]}')
    if controls:
        ok = sum(1 for _, v in controls if v.verdict == "holds")
        summary.append(f'対照（実験自体の確認）{len(controls)} 件: {ok} 件が'
                       + (f'全 {n} シードで成立' if n else '成立'))
    if other:
        held = sum(1 for _, v in other if v.n and v.k == v.n)
        summary.append(f'<span class="badge">未分類</span> 検証 {len(other)} 件は、論文の主張と'
                       '対照にまだ分類されていません'
                       + (f'（全 {n} シードで成立 {held} 件）' if n else ''))
    out = []
    # the first slide holds the summary and up to six claims (four when more follow), the
    # next ones six claims each
    if len(lines) <= 6:
        pages = [lines]
    else:
        pages = [lines[:4]] + [lines[j:j + 6] for j in range(4, len(lines), 6)]
    for i, pg in enumerate(pages):
        body = ('<p class="summary">' + "<br>".join(summary) + "</p>") if i == 0 else ""
        if pg:
            body += '<ul class="verdicts">' + "".join(pg) + "</ul>"
        if not pg and other:
            shaky = [(c, v) for c, v in other if v.n and v.k != v.n]
            body += ('<p>この章の判定（✓ 再現・◐ 一部・✗ 再現せず）は、分類のあとでこのスライドに'
                     '出ます。' + (f'一部のシードで成り立たない検証: {len(shaky)} 件。'
                                   if n else '') + '</p>')
            if shaky:
                body += '<ul class="verdicts">' + "".join(
                    f'<li data-claim="{html.escape(c["name"])}" data-k="{v.k}" data-n="{v.n}">'
                    f'{html.escape(names_ja.get(c["name"], c["name"]))}'
                    f'<span class="seeds">{html.escape(v.seeds)}</span></li>'
                    for c, v in shaky[:3]) + "</ul>"
        t = title + (f"（{i + 1}/{len(pages)}）" if len(pages) > 1 else "")
        out.append(Slide("verdicts", t, body))
    return out


# ------------------------------------------------------------------------ the HTML
CSS = """
:root { --ink: #1f2328; --muted: #57606a; --accent: #0b5cad; --rule: #d0d7de; }
.reveal { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic",
  "Meiryo", sans-serif; font-size: 30px; color: var(--ink); background: #fff; }
.reveal .slides { text-align: left; }
.reveal .slides section[data-kind] { box-sizing: border-box; width: 1280px; height: 720px;
  padding: 30px 56px 40px; overflow: hidden; display: flex !important;
  flex-direction: column; }
.reveal .slides section[data-kind][style*="display: none"] { display: none !important; }
.reveal .slides section[data-kind] > .body { flex: 1 1 auto; min-height: 0; display: flex;
  flex-direction: column; }
.reveal header { display: flex; align-items: baseline; justify-content: space-between;
  border-bottom: 3px solid var(--accent); margin-bottom: 22px; padding-bottom: 6px; }
.reveal h2 { font-size: 42px; font-weight: 700; margin: 0; color: var(--accent);
  line-height: 1.25; }
.reveal header .chapter { font-size: 24px; color: var(--muted); white-space: nowrap;
  margin-left: 24px; }
.reveal header.long .chapter { display: none; }
.reveal p, .reveal li, .reveal dd, .reveal dt { line-height: 1.45; }
.reveal p { margin: 0 0 14px; }
.reveal ul, .reveal ol { margin: 0 0 0 1.2em; padding: 0; }
.reveal li { margin: 0 0 14px; }
.reveal a { color: var(--accent); }
.reveal .lead { font-size: 34px; line-height: 1.55; margin-bottom: 22px; }
.reveal .paper-title { font-size: 44px; font-weight: 700; line-height: 1.3; margin: 18px 0 30px; }
.reveal dl.biblio { display: grid; grid-template-columns: 150px 1fr; gap: 10px 20px;
  font-size: 28px; margin: 0; }
.reveal dl.biblio dt { color: var(--muted); font-weight: 700; }
.reveal dl.biblio dd { margin: 0; }
.reveal dd.blank { border-bottom: 2px solid var(--rule); width: 420px; }
.reveal .two { display: flex; gap: 40px; align-items: flex-start; }
.reveal .two > div { flex: 1 1 0; min-width: 0; }
.reveal .two .equation { flex: 0 1 auto; max-width: 58%; background: #f3f6fa;
  border-left: 6px solid var(--accent); padding: 18px 24px; font-size: 34px; }
.reveal .two .reading { font-size: 27px; }
.reveal .two .reading li { margin-bottom: 10px; }
.reveal .equation .katex-display { margin: 0; text-align: left; }
.reveal .equation .katex-display > .katex { text-align: left; display: inline-block; }
.reveal .two.stacked { flex-direction: column; gap: 20px; }
.reveal .two.stacked > div { flex: none; width: 100%; max-width: 100%; box-sizing: border-box; }
.reveal .two.stacked .reading { font-size: 28px; }
.reveal .col-head { font-weight: 700; color: var(--accent); font-size: 30px;
  margin-bottom: 10px; }
.reveal .two.even { font-size: 28px; }
.reveal .caption { font-size: 28px; margin-bottom: 10px; }
.reveal .side { display: flex; gap: 32px; flex: 1 1 auto; min-height: 0; }
.reveal .side .figure { flex: 1 1 auto; min-width: 0; }
.reveal .side .caption { flex: 0 0 330px; align-self: center; }
.reveal .figure { display: flex; justify-content: center; align-items: center;
  flex: 1 1 auto; min-height: 0; }
.reveal .figure img { width: 100%; height: 100%; object-fit: contain; margin: 0;
  border: 0; box-shadow: none; }
.reveal table.claims { border-collapse: collapse; width: 100%; font-size: 24px;
  line-height: 1.3; table-layout: fixed; }
.reveal table.claims caption { caption-side: top; text-align: left; font-size: 24px;
  color: var(--muted); padding-bottom: 8px; }
.reveal table.claims th { text-align: left; border-bottom: 2px solid var(--ink);
  padding: 6px 10px; }
.reveal table.claims td { border-bottom: 1px solid var(--rule); padding: 7px 10px;
  vertical-align: top; overflow-wrap: anywhere; }
.reveal table.claims th:nth-child(1) { width: 46%; }
.reveal table.claims th:nth-child(2) { width: 19%; }
.reveal table.claims th:nth-child(3) { width: 16%; }
.reveal table.claims th:nth-child(4) { width: 19%; }
.reveal .null, .reveal .seeds { display: block; color: var(--muted); }
.reveal .v-reproduced .mark, .reveal td.v-reproduced { color: #1a7f37; }
.reveal .v-partly .mark, .reveal td.v-partly { color: #9a6700; }
.reveal .v-not-reproduced .mark, .reveal td.v-not-reproduced { color: #cf222e; }
.reveal .summary { font-size: 28px; background: #f3f6fa; padding: 12px 18px;
  border-radius: 6px; }
.reveal ul.verdicts { list-style: none; margin-left: 0; font-size: 28px; }
.reveal ul.verdicts li { display: flex; gap: 14px; margin-bottom: 10px; }
.reveal ul.verdicts .mark { font-weight: 700; width: 1.2em; flex: none; }
.reveal ul.verdicts .seeds { display: inline; margin-left: auto; padding-left: 18px;
  white-space: nowrap; }
.reveal .badge { display: inline-block; background: #57606a; color: #fff; padding: 0 10px;
  border-radius: 6px; }
.reveal ul.refs { font-size: 26px; }
.reveal .slide-number { font-size: 24px; background: transparent; color: var(--muted);
  right: 24px; bottom: 6px; }
.reveal .slide-number a { text-decoration: none; }
html.reveal-print .reveal .slides section[data-kind] { padding: 30px 56px 40px !important;
  display: flex !important; width: 1280px !important; height: 720px !important;
  overflow: hidden; }
html.reveal-print .reveal .slide-number-pdf { font-size: 24px; color: var(--muted); }
"""

PAGE = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="lib/reveal/reset.css">
<link rel="stylesheet" href="lib/reveal/reveal.css">
<link rel="stylesheet" href="lib/katex/katex.min.css">
<style>{css}</style>
</head>
<body>
<script>
// Headless Chromium prints (--print-to-pdf) without drawing frames, so requestAnimationFrame,
// which reveal's print view waits on, may never fire; timers always do.
if (/print-pdf/.test(location.search)) window.requestAnimationFrame = (f) => setTimeout(() => f(performance.now()), 0);
</script>
<div class="reveal"><div class="slides">
{sections}
</div></div>
<script src="lib/reveal/reveal.js"></script>
<script>
// The method slide: the formula beside its reading when both fit, else the formula above it
// (and, as a last resort, the reading down to 24 px, the formula down to 26 px). Any other
// slide whose text is too long for it: its text down to 24 px at the least.
function rindokuFit(sec) {{
  if (!sec.offsetHeight || sec.dataset.fitted) return;
  sec.dataset.fitted = "1";
  const body = sec.querySelector(".body");
  const over = () => body.scrollHeight > body.clientHeight + 1 || sec.scrollHeight > sec.clientHeight + 1;
  const two = sec.querySelector(".two.method");
  if (two) {{
    const eq = two.querySelector(".equation"), k = eq.querySelector(".katex");
    const reading = two.querySelector(".reading");
    if (k && k.getBoundingClientRect().width + 60 > 0.5 * two.clientWidth) two.classList.add("stacked");
    for (let px = 27; px >= 24 && over() && !two.classList.contains("stacked"); px--)
      reading.style.fontSize = px + "px";
    if (over() && !two.classList.contains("stacked")) {{
      two.classList.add("stacked"); reading.style.fontSize = "";
    }}
    for (let px = 28; px >= 24 && over(); px--) reading.style.fontSize = px + "px";
    for (let px = 32; px >= 26 && (eq.scrollWidth > eq.clientWidth + 1 || over()); px -= 2)
      eq.style.fontSize = px + "px";
    return;
  }}
  const texts = [...body.querySelectorAll(".two.even, .two.even ul, ul, ol, p")];
  for (let step = 0; step < 10 && over(); step++)
    texts.forEach((el) => {{
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px > 24) el.style.fontSize = Math.max(24, px - 1) + "px";
    }});
}}
Reveal.on("ready", () => document.querySelectorAll(".reveal .slides section[data-kind]").forEach(rindokuFit));
Reveal.on("slidechanged", (e) => rindokuFit(e.currentSlide));
Reveal.initialize({{width: {w}, height: {h}, margin: 0, minScale: 0.2, maxScale: 2,
  center: false, hash: true, slideNumber: "c/t", transition: "none", controls: false,
  progress: false, pdfMaxPagesPerSlide: 1, pdfSeparateFragments: false}});
</script>
</body>
</html>
"""


def deck_html(name: str, slides: list[Slide], chapter: dict) -> str:
    """The page of one deck (reveal.js and KaTeX from ``lib/`` next to it)."""
    label = f'第 {int(chapter["number"])} 章 · {html.escape(chapter["short"])}'
    sections = []
    for s in slides:
        cls = " ".join([f"slide-{s.kind}", *s.classes])
        long = ' class="long"' if len(s.title) > 16 else ""  # no room for the label
        sections.append(f'<section class="{cls}" data-kind="{s.kind}">'
                        f'<header{long}><h2>{html.escape(s.title)}</h2>'
                        f'<span class="chapter">{label}</span></header>'
                        f'<div class="body">{s.body}</div></section>')
    title = f'{chapter["paper"]["title"]} — 輪読会スライド（第 {int(chapter["number"])} 章）'
    return PAGE.format(title=html.escape(title), css=CSS, sections="\n".join(sections),
                       w=WIDTH, h=HEIGHT)


def deck(name: str, out: Path | None = None, render=None, registry: dict | None = None,
         decks: Path = DECKS, results: Path | None = None) -> tuple[str, list[Slide]]:
    """The HTML and slides of chapter ``name``'s deck; figures are written under
    ``out/img`` (or inlined when ``out`` is None)."""
    registry = registry or load_registry()
    chapter = registry[name]
    results = Path(results or ROOT / "results")
    result = load_json(results / f"{name}.json")
    sweep = load_json(results / "sweeps" / f"{name}.json")
    spec = load_deck(name, decks)
    found = notebook_figures(ROOT / "notebooks" / f"{name}.ipynb", most=99)
    if spec.get("figure_select"):
        found = [found[i - 1] for i in spec["figure_select"] if 0 < i <= len(found)]
    figs = []
    for i, (mime, blob) in enumerate(found[:MAX_FIGURES]):
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}[mime]
        if out is None:
            src = f"data:{mime};base64,{base64.b64encode(blob).decode()}"
        else:
            path = Path(out) / "img" / f"{name}-{i + 1}.{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
            src = f"img/{path.name}"
        figs.append((src, png_size(blob) if mime == "image/png" else None))
    m = Math(render)
    slides = build_slides(name, spec, chapter, result, sweep, figs, m, registry)
    try:
        return m.fill(deck_html(name, slides, chapter)), slides
    except ValueError as e:
        raise SystemExit(f"make_slides: book/decks/{name}.yml: {e}") from None


# ------------------------------------------------------------------------ assets and PDF
def install_assets(out: Path) -> None:
    """Copy reveal.js and KaTeX from ``tools/slides/node_modules`` into ``out/lib``
    (running ``npm ci`` first when they are not installed)."""
    nm = NODE_DIR / "node_modules"
    if not (nm / "reveal.js").is_dir() or not (nm / "katex").is_dir():
        if not shutil.which("npm"):
            raise SystemExit("make_slides: reveal.js and KaTeX come from npm; install Node.js "
                             "(apt-get install nodejs npm) and run again")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=NODE_DIR, check=True)
    for src, dst in ASSETS.items():
        s, d = nm / src, Path(out) / dst
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copyfile(s, d)


def chromium() -> str | None:
    for n in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(n):
            return shutil.which(n)
    return None


def pdf_page_count(pdf: Path) -> int:
    """The number of pages of a PDF that Chromium printed."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", Path(pdf).read_bytes()))


def print_pdf(page: Path, browser: str, pages: int | None = None, timeout: int = 180) -> Path:
    """Print a deck to ``NN_slug.slides.pdf`` with headless Chromium in reveal's print view
    (``?print-pdf``: one 1280×720 page a slide); tried up to three times until the PDF has
    ``pages`` pages."""
    pdf = page.with_suffix(".pdf")
    for _attempt in range(3):
        pdf.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="rindoku-chromium-") as profile:
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--no-first-run", "--lang=ja-JP",
                            "--run-all-compositor-stages-before-draw",
                            "--virtual-time-budget=20000", "--no-pdf-header-footer",
                            f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                            page.resolve().as_uri() + "?print-pdf"],
                           capture_output=True, timeout=timeout, check=False)
        if pdf.is_file() and (pages is None or pdf_page_count(pdf) == pages):
            return pdf
    raise RuntimeError(f"make_slides: Chromium did not print {page.name} "
                       f"({pdf_page_count(pdf) if pdf.is_file() else 0} pages for {pages} slides)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "html" / "slides")
    ap.add_argument("--no-pdf", action="store_true", help="do not print the decks to PDF")
    ap.add_argument("chapters", nargs="*",
                    help="chapter names (NN_slug) or notebook paths; default: every chapter")
    args = ap.parse_args(argv)
    names = [Path(c).stem for c in args.chapters] or chapter_names()
    start = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    install_assets(args.out)
    registry = load_registry()
    written = []
    for name in names:
        if not (DECKS / f"{name}.yml").is_file():
            print(f"make_slides: warning: no deck file book/decks/{name}.yml; {name} has no deck")
            continue
        page_html, slides = deck(name, args.out, registry=registry)
        target = args.out / f"{name}.slides.html"
        target.write_text(page_html, encoding="utf-8")
        written.append((target, len(slides)))
        if not 10 <= len(slides) <= 16:
            print(f"make_slides: warning: {name} has {len(slides)} slides (10–16 expected)")
    t_html = time.perf_counter() - start
    browser = None if args.no_pdf else chromium()
    for target, n in written if browser else []:
        print_pdf(target, browser, n)
    out = args.out.resolve()
    rel = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"make_slides: {len(written)} decks in {rel} ({t_html:.1f} s)"
          + (f", PDFs in {time.perf_counter() - start - t_html:.1f} s" if browser else
             ("" if args.no_pdf else "; no Chromium, so no PDFs")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
