"""tools/make_slides.py: every chapter's 輪読会 deck, built from its deck file, notebook and
results files. These are the fast checks (no browser); tools/check_slides.py measures every
slide in headless Chromium (``make test`` runs both)."""

import importlib.util
import json
import math
import re
import shutil
import sys
from html import escape, unescape
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_slides", ROOT / "tools" / "make_slides.py")
ms = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_slides", ms)  # dataclasses look their module up
_spec.loader.exec_module(ms)

CHAPTERS = ms.chapter_names()
#: The fixed order of a deck's slides, as the ``data-kind`` of its sections.
ORDER = re.compile(r"biblio overview background method experiment (result )*(table )+"
                   r"(verdicts )+discussion references")


def _deck_text(value) -> list[str]:
    """Every string of a deck file."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _deck_text(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _deck_text(v)]
    return []


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every chapter's deck, built once with a stand-in for KaTeX: name → (html, slides)."""
    out = tmp_path_factory.mktemp("slides")
    registry = ms.load_registry()
    decks = {}
    for name in CHAPTERS:
        if (ms.DECKS / f"{name}.yml").is_file():
            decks[name] = ms.deck(name, out, render=ms.fake_math, registry=registry)
    return decks


def _sections(page: str) -> list[str]:
    return re.findall(r"<section .*?</section>", page, re.DOTALL)


def _visible_text(fragment: str) -> str:
    """The text a reader sees, formulas (KaTeX spans) left out."""
    fragment = re.sub(r'<span class="katex">.*?</span>', " ", fragment, flags=re.DOTALL)
    fragment = re.sub(r"<style>.*?</style>|<script.*?</script>", " ", fragment, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", fragment))


# ------------------------------------------------------------------------ the deck files
@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_has_a_deck_file_with_the_schema(name):
    path = ms.DECKS / f"{name}.yml"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert ms.deck_problems(data) == []


@pytest.mark.parametrize("name", [n for n in CHAPTERS if (ms.DECKS / f"{n}.yml").is_file()])
def test_deck_file_is_plain_polite_japanese(name):
    """です/ます, one line a sentence, no MyST or HTML; the claims it names exist."""
    data = yaml.safe_load((ms.DECKS / f"{name}.yml").read_text(encoding="utf-8"))
    prose = (_deck_text(data.get("overview")) + _deck_text(data.get("background"))
             + _deck_text(data["method"].get("reading")) + _deck_text(data.get("discussion")))
    for s in _deck_text(data):
        assert "\n" not in s.strip() or s is data["method"]["equation"], \
            f"line break inside a sentence: {s!r}"
        assert ":::" not in s and "{admonition}" not in s and "<" not in s.replace("<j", ""), s
        assert s.count("$") % 2 == 0, f"unbalanced $ in {s!r}"
    for s in prose:
        assert re.search(r"[ぁ-んァ-ン]", s), f"not Japanese: {s!r}"
        for sentence in re.findall(r"[^。]*。", s):
            end = re.sub(r"（[^（）]*）。$", "。", sentence)
            end = re.sub(r"[）」』)]+。$", "。", end)[:-1]
            assert end.endswith(("ます", "です", "ました", "でした", "ません", "ましょう",
                                 "でしょう", "か")), f"not です/ます: {sentence!r}"
    result = ms.load_json(ROOT / "results" / f"{name}.json") or {"claims": []}
    names = {c["name"] for c in result["claims"]}
    for key in ("claims_ja", "paper_ja"):
        unknown = set(data.get(key) or {}) - names
        assert not unknown, f"{key} names claims the results file does not have: {unknown}"


# ------------------------------------------------------------------------ the decks
def test_a_deck_for_every_chapter(built):
    assert sorted(built) == CHAPTERS


@pytest.mark.parametrize("name", CHAPTERS)
def test_deck_has_the_fixed_order_and_10_to_16_slides(built, name):
    if name not in built:
        pytest.skip("no deck file")
    page, slides = built[name]
    kinds = " ".join(s.kind for s in slides)
    assert 10 <= len(slides) <= 16, f"{len(slides)} slides"
    assert ORDER.fullmatch(kinds), kinds
    sections = _sections(page)
    assert len(sections) == len(slides)
    assert "書誌情報" in sections[0] and "arxiv.org/abs/" in sections[0]
    assert any("再現できたこと・できなかったこと" in s for s in sections)
    shown = sum(s.kind == "result" for s in slides)
    assert shown <= ms.MAX_FIGURES
    captions = yaml.safe_load((ms.DECKS / f"{name}.yml").read_text(encoding="utf-8")).get(
        "figures")
    if captions is not None:  # captions follow the figures in order: a figure added or
        assert len(captions) == shown, (  # removed in the notebook shifts them
            f"{len(captions)} captions for {shown} figures; update book/decks/{name}.yml")


@pytest.mark.parametrize("name", CHAPTERS)
def test_deck_shows_no_raw_markup_no_code_and_no_long_numbers(built, name):
    if name not in built:
        pytest.skip("no deck file")
    page, _ = built[name]
    body = page.split('<div class="slides">', 1)[1]
    text = _visible_text(body.split("</div></div>\n<script", 1)[0])
    assert ":::" not in text and "{admonition}" not in text
    assert "$" not in text and not re.search(r"\\[a-zA-Z]+", text), "raw TeX on a slide"
    assert "<pre" not in body and "<code" not in body
    for num in re.findall(r"(?<![\d.:])\d+\.\d+", text):  # 1.000000, 0.16800000000000004
        assert len(num.replace(".", "").lstrip("0")) <= 5, f"an unformatted number: {num}"
    assert "tqdm" not in text and "it/s" not in text


@pytest.mark.parametrize("name", CHAPTERS)
def test_deck_loads_nothing_from_the_network(built, name):
    if name not in built:
        pytest.skip("no deck file")
    page, _ = built[name]
    for url in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page):
        assert not re.match(r"(https?:)?//", url), f"{name} loads {url}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_deck_numbers_are_the_results_files(built, name):
    """Every claim of results/NN_slug.json is a row of the table, with our value as the file
    gives it (to three significant digits) and the seeds it held on in the sweep."""
    if name not in built:
        pytest.skip("no deck file")
    page, _ = built[name]
    result = json.loads((ROOT / "results" / f"{name}.json").read_text(encoding="utf-8"))
    sweep_path = ROOT / "results" / "sweeps" / f"{name}.json"
    sweep = json.loads(sweep_path.read_text(encoding="utf-8")) if sweep_path.is_file() else {}
    swept = {c["name"]: c for c in sweep.get("claims", [])}
    rows = dict(re.findall(r'<tr data-claim="([^"]*)"(.*?)</tr>', page, re.DOTALL))
    rows = {unescape(k): v for k, v in rows.items()}
    assert len(rows) == len(result["claims"])
    for c in result["claims"]:
        row = rows[c["name"]]
        shown = re.search(r'<span class="num" data-ours>([^<]*)</span>', row).group(1)
        if isinstance(c.get("ours"), (int, float)) and not isinstance(c["ours"], bool):
            value, got = float(c["ours"]), ms.parse_number(unescape(shown))
            assert got is not None, f"{c['name']}: {shown!r} is not a number"
            tol = 0.5 if abs(value) >= 1e4 else (
                0.5 * 10 ** (math.floor(math.log10(abs(value))) - 2) if value else 0)
            assert abs(got - value) <= tol * 1.001 + 1e-12, f"{c['name']}: {shown} vs {value}"
        s = swept.get(c["name"])
        if s and s.get("holds"):
            k = sum(bool(v) for v in s["holds"].values())
            assert f'data-k="{k}" data-n="{len(s["holds"])}"' in row, c["name"]
        if c.get("kind") is None:
            assert "未分類" in row


@pytest.mark.parametrize("name", CHAPTERS)
def test_verdict_slide_counts_paper_claims_and_controls_apart(built, name):
    if name not in built:
        pytest.skip("no deck file")
    page, _ = built[name]
    result = json.loads((ROOT / "results" / f"{name}.json").read_text(encoding="utf-8"))
    verdicts = "".join(s for s in _sections(page) if 'data-kind="verdicts"' in s)
    kinds = [c.get("kind") for c in result["claims"]]
    if None in kinds:
        assert "未分類" in verdicts
    paper = [c for c in result["claims"] if c.get("kind") == "paper"]
    for c in paper:
        line = re.search(r'<li class="v-[^"]*" data-claim="' + re.escape(escape(c["name"]))
                         + r'"[^>]*>(.*?)</li>', verdicts, re.DOTALL)
        assert line, f"{c['name']} is not on the verdict slide"
        assert re.search(r"[✓◐✗]", line.group(1))
        assert "シード" in line.group(1), f"{c['name']} is not in the committed sweep"

    if "control" in kinds:
        assert "対照" in verdicts


def test_seminar_page_links_every_deck_and_pdf_and_todays_jupyter():
    page = (ROOT / "book" / "seminar.md").read_text(encoding="utf-8")
    assert "{include} _generated/decks.md" in page
    decks = (ROOT / "book" / "_generated" / "decks.md").read_text(encoding="utf-8")
    for name in CHAPTERS:
        assert f'href="../slides/{name}.slides.html"' in decks, name
        assert f'href="../slides/{name}.slides.pdf"' in decks, name
    assert "Cell Toolbar" not in page and "Property Inspector" in page
    assert "make_slides.py notebooks/" not in page


# ------------------------------------------------------------------------ pieces
def test_claim_verdict_uses_the_sweep():
    sweep = {"seeds": [0, 1, 2], "claims": [
        {"name": "a", "holds": {"0": True, "1": True, "2": True}},
        {"name": "b", "holds": {"0": False, "1": False, "2": False}},
        {"name": "c", "holds": {"0": True, "1": False, "2": True}}]}
    got = {n: ms.claim_verdict({"name": n, "kind": "paper", "expect": "reproduced"}, sweep)
           for n in "abc"}
    assert [got[n].label for n in "abc"] == ["✓ 再現", "✗ 再現せず", "◐ 一部再現"]
    assert got["c"].seeds == "2/3 シード"
    control = ms.claim_verdict({"name": "c", "kind": "control"}, sweep)
    assert control.label == "‼ 対照・不成立"
    assert ms.claim_verdict({"name": "a"}, sweep).label == "未分類"


def test_numbers_read_back():
    for v in (0.96666, -0.25, 4.37e-05, 123456.0, 1.0, 12.5, 0.0):
        shown = ms.number(v)
        assert "e" not in shown and ms.parse_number(shown) == pytest.approx(v, rel=5e-3, abs=1e-12)


def test_table_never_has_more_than_six_rows_a_slide():
    claims = [{"name": f"claim {i}", "kind": "paper", "expect": "reproduced", "paper": 0.5,
               "ours": 0.5 + i / 100, "holds": True} for i in range(13)]
    slides = ms.table_slides("99_demo", {"seed": 0, "claims": claims}, None, {})
    assert len(slides) == 3
    assert all(s.body.count("<tr data-claim") <= ms.TABLE_ROWS for s in slides)
    assert all("<caption>" in s.body for s in slides)


@pytest.mark.skipif(not shutil.which("node") or not (ms.NODE_DIR / "node_modules" / "katex").is_dir(),
                    reason="needs node and `npm ci` in tools/slides")
def test_katex_renders_formulas_to_html(tmp_path):
    html = ms.render_with_katex([("\\pi^*_\\tau", False), ("\\frac{a}{b}", True)])
    assert all('class="katex' in h for h in html) and "\\frac" not in html[1]
    ms.install_assets(tmp_path)
    page, _ = ms.deck(CHAPTERS[0], tmp_path)
    for url in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page):
        assert (tmp_path / url).is_file(), url
    css = (tmp_path / "lib" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    formulas = []
    for name in CHAPTERS:  # every formula of every deck file renders (one node process)
        if (ms.DECKS / f"{name}.yml").is_file():
            ms.deck(name, render=lambda items: formulas.extend(items) or ["" for _ in items])
    ms.render_with_katex(formulas)
    for font in set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css)):
        assert (tmp_path / "lib" / "katex" / font).is_file(), font
