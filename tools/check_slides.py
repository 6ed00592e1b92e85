"""Look at the seminar decks the way a room does: headless Chromium opens each deck at
projector size (1280×720), shows every slide in turn, and a script in the page measures it.

    python tools/check_slides.py [_build/html/slides] [--screenshots DIR] [--only 03_]

For every slide of every deck it reports:

* **too tall / too wide**: the slide's content runs past 1280×720 (it would be cut);
* **small text**: text drawn under 24 px (unreadable from the back of the room; KaTeX's
  formulas are measured at their base size, their sub- and superscripts as drawn by KaTeX);
* **outside**: an element (a figure, a table) that sticks out of the slide;
* **broken figure**: an image that did not load;
* **raw markup**: ``:::``, ``{admonition}``, ``$`` or a TeX command in the text a slide shows;
* **network**: a script, style sheet or image that is not a local file (the deck must work
  offline);

and, per deck, that it has 10–16 slides, its 書誌情報 slide and its verdict slide, and that its
PDF (``NN_slug.slides.pdf``, printed by ``make_slides``) has one 1280×720 page a slide.

With ``--screenshots DIR`` it saves a PNG of every slide (``DIR/NN_slug/NN.png``). Exit status
1 when any deck has a problem. Needs Debian's ``chromium``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_PX = 24

#: Runs in the deck once reveal.js is ready; walks every slide and writes its findings.
PROBE = r"""
<script>
Reveal.on("ready", () => setTimeout(() => {
  const out = [], slides = Reveal.getHorizontalSlides();
  const kinds = [];
  const bad = /:::|\{admonition\}|\$|\\[a-zA-Z]+\{?/;
  const external = [...document.querySelectorAll("script[src], link[href], img[src]")]
    .map((el) => el.getAttribute("src") || el.getAttribute("href"))
    .filter((u) => /^(https?:)?\/\//.test(u) && !/^https?:\/\/arxiv\.org/.test(u));
  external.forEach((u) => out.push({slide: 0, kind: "network", text: u}));
  const links = [...document.querySelectorAll("link[rel=stylesheet]")].map((l) => l.href);
  slides.forEach((sec, i) => {
    Reveal.slide(i);
    if (window.rindokuFit) rindokuFit(sec);
    kinds.push(sec.dataset.kind);
    const s = i + 1, box = sec.getBoundingClientRect();
    if (sec.scrollHeight > sec.clientHeight + 1)
      out.push({slide: s, kind: "too tall", by_px: sec.scrollHeight - sec.clientHeight});
    const body = sec.querySelector(".body");
    if (body && body.scrollHeight > body.clientHeight + 1)
      out.push({slide: s, kind: "too tall", by_px: body.scrollHeight - body.clientHeight});
    if (sec.scrollWidth > sec.clientWidth + 1)
      out.push({slide: s, kind: "too wide", by_px: sec.scrollWidth - sec.clientWidth});
    sec.querySelectorAll("*").forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      if (el.closest(".katex") && !el.classList.contains("katex")) return;
      if (r.bottom > box.bottom + 1 || r.right > box.right + 1 || r.left < box.left - 1)
        out.push({slide: s, kind: "outside", text: el.tagName.toLowerCase() + " " +
                  (el.innerText || el.alt || "").trim().slice(0, 40)});
    });
    const walker = document.createTreeWalker(sec, NodeFilter.SHOW_TEXT);
    let seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      let el = n.parentElement;
      const k = el.closest(".katex");
      if (k) el = k;                // a formula is read at its base size
      if (seen.has(el)) continue;
      seen.add(el);
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < 24 - 0.01)
        out.push({slide: s, kind: "small text", px: Math.round(px * 10) / 10,
                  text: n.textContent.trim().slice(0, 40)});
    }
    const copy = sec.cloneNode(true);
    copy.querySelectorAll(".katex, .katex-display").forEach((m) => m.remove());
    const txt = copy.textContent;
    const m = txt.match(bad);
    if (m) out.push({slide: s, kind: "raw markup", text: txt.slice(Math.max(0, m.index - 20), m.index + 20)});
    sec.querySelectorAll("img").forEach((img) => {
      if (!img.complete || img.naturalWidth === 0)
        out.push({slide: s, kind: "broken figure", text: img.getAttribute("src")});
    });
  });
  const pre = document.createElement("pre");
  pre.id = "rindoku-slide-check";
  pre.textContent = JSON.stringify({slides: slides.length, kinds, problems: out,
    scale: Reveal.getScale(), katex_css: links.some((h) => h.includes("katex"))});
  document.body.appendChild(pre);
}, 300));
</script>
"""

_REPORT = re.compile(r'<pre id="rindoku-slide-check">(.*?)</pre>', re.DOTALL)


def _browser() -> str:
    sys.path.insert(0, str(ROOT / "tools"))
    from make_slides import chromium

    found = chromium()
    if not found:
        raise SystemExit("check_slides: no Chromium found; install it with "
                         "`apt-get install chromium` and run again.")
    return found


def _run(browser: str, url: str, extra: list[str], timeout: int = 120) -> str:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--disable-dev-shm-usage", "--no-first-run", "--lang=ja-JP",
           "--window-size=1280,720", "--virtual-time-budget=20000", *extra, url]
    with tempfile.TemporaryDirectory(prefix="rindoku-chromium-") as profile:
        proc = subprocess.run(cmd + [f"--user-data-dir={profile}"], capture_output=True,
                              text=True, timeout=timeout, check=False)
    return proc.stdout


def check_deck(page: Path, browser: str) -> dict:
    """Measure every slide of one deck; returns ``{"slides": n, "kinds": [...],
    "problems": [...]}``."""
    page = Path(page).resolve()
    probe = page.with_name(f"__check__{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    m = None
    try:
        for _attempt in range(3):  # a loaded machine sometimes runs out of virtual time
            m = _REPORT.search(_run(browser, probe.as_uri(), ["--dump-dom"]))
            if m:
                break
    finally:
        probe.unlink(missing_ok=True)
    if not m:
        return {"slides": 0, "kinds": [], "problems": [
            {"slide": 0, "kind": "no report", "text": "the probe did not run"}]}
    report = json.loads(html.unescape(m.group(1)))
    kinds = report["kinds"]
    if not 10 <= report["slides"] <= 16:
        report["problems"].append({"slide": 0, "kind": "slide count",
                                   "text": f"{report['slides']} slides (10–16 expected)"})
    for kind, what in (("biblio", "書誌情報"), ("table", "論文 vs 本書"),
                       ("verdicts", "再現できたこと・できなかったこと")):
        if kind not in kinds:
            report["problems"].append({"slide": 0, "kind": "missing slide", "text": what})
    if kinds and kinds[0] != "biblio":
        report["problems"].append({"slide": 1, "kind": "order",
                                   "text": "the deck does not open with 書誌情報"})
    return report


def pdf_pages(pdf: Path) -> tuple[int, set]:
    """The number of pages of a PDF printed by Chromium and their sizes in points."""
    data = Path(pdf).read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    sizes = {tuple(round(float(v)) for v in m.split()[2:4])
             for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    return pages, sizes


def check_pdf(page: Path, slides: int) -> list[dict]:
    """Problems with a deck's PDF: missing, a page count unlike the deck's, not 16:9."""
    pdf = Path(page).with_suffix(".pdf")
    if not pdf.is_file():
        return [{"slide": 0, "kind": "no PDF", "text": pdf.name}]
    n, sizes = pdf_pages(pdf)
    out = []
    if n != slides:
        out.append({"slide": 0, "kind": "PDF pages", "text": f"{n} pages for {slides} slides"})
    if sizes != {(960, 540)}:
        out.append({"slide": 0, "kind": "PDF page size", "text": f"{sizes} pt, not 960×540"})
    return out


def screenshots(page: Path, browser: str, folder: Path, slides: int) -> list[Path]:
    """A 1280×720 PNG of every slide of ``page`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(slides):
        png = folder / f"{i + 1:02d}.png"
        _run(browser, f"{Path(page).resolve().as_uri()}#/{i}", [f"--screenshot={png}"])
        out.append(png)
    return out


def decks(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.slides.html"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path,
                    default=ROOT / "_build" / "html" / "slides")
    ap.add_argument("--screenshots", type=Path, default=None)
    ap.add_argument("--only", default="", help="check only decks whose name contains this")
    ap.add_argument("--no-pdf", action="store_true", help="do not check the decks' PDFs")
    args = ap.parse_args(argv)
    found = [p for p in decks(args.folder) if args.only in p.name]
    if not found:
        raise SystemExit(f"check_slides: no decks in {args.folder}; run `make book` first.")
    browser = _browser()
    bad = 0
    for page in found:
        report = check_deck(page, browser)
        if not args.no_pdf:
            report["problems"] += check_pdf(page, report["slides"])
        problems = report["problems"]
        bad += bool(problems)
        print(f"{'BAD' if problems else 'ok '} {page.name}: {report['slides']} slides"
              + "".join(f"\n    slide {p['slide']}: {p['kind']}"
                        + (f" {p['text']!r}" if p.get("text") else "")
                        + (f" by {p['by_px']} px" if p.get("by_px") else "")
                        + (f" ({p['px']} px)" if p.get("px") else "")
                        for p in problems[:12])
              + (f"\n    … and {len(problems) - 12} more" if len(problems) > 12 else ""))
        if args.screenshots:
            screenshots(page, browser, args.screenshots / page.name.split(".")[0],
                        report["slides"])
    print(f"{bad} deck(s) with problems" if bad else
          f"every slide of {len(found)} deck(s) fits 1280×720 with text ≥ {MIN_PX} px")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
