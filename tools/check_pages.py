"""Look at the built book the way a reader does: headless Chromium opens each page at a
laptop's width, and a script in the page measures what a reader would notice.

    python tools/check_pages.py [_build/html] [--screenshots DIR] [--width 1280]
    make check-pages

For every chapter and book page it reports:

* **overflow**: a table, code block, figure or output that runs past the content column's
  right edge (the page scrolls sideways or the text is cut);
* **scrolling code**: a code block that needs a horizontal scroll bar (a line too long);
* **scrolling table** (reported, not a failure): a table that scrolls sideways inside its own
  box; nothing is cut, but a narrower table reads better;
* **shrunk figure**: a figure drawn so wide that the column shows it at under 75 % of its
  size (its labels become too small to read);
* **raw markup**: LaTeX-ish text (``\\pi``, ``_{...}``, ``^{...}``, ``$...$``) left in a table
  cell, which the browser shows verbatim.

With ``--screenshots DIR`` it also saves a full-page PNG of each page. Exit status 1 when any
page has a problem. Needs Debian's ``chromium`` (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Runs in the page after it has loaded and laid out; writes its findings into the DOM.
PROBE = r"""
<script>
window.addEventListener("load", () => setTimeout(() => {
  const out = [];
  const article = document.querySelector("article.bd-article") || document.querySelector("main");
  const edge = article.getBoundingClientRect().right + 1;
  const label = (el) => (el.innerText || el.alt || el.src || "").trim().slice(0, 60).replace(/\s+/g, " ");
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  article.querySelectorAll("table, pre, img, .cell_output, .math, svg").forEach((el) => {
    if (!visible(el)) return;
    let clipped = false;  // inside a box that scrolls sideways: checked below, not overflow
    for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === "auto" || ox === "scroll" || ox === "hidden") { clipped = true; break; }
    }
    if (!clipped && el.getBoundingClientRect().right > edge)
      out.push({kind: "overflow", what: el.tagName.toLowerCase(), text: label(el),
                by_px: Math.round(el.getBoundingClientRect().right - edge)});
  });
  article.querySelectorAll("table").forEach((t) => {
    let box = t.parentElement;
    while (box && box !== article && !["auto", "scroll"].includes(getComputedStyle(box).overflowX))
      box = box.parentElement;
    if (box && box !== article && box.scrollWidth > box.clientWidth + 2)
      out.push({kind: "scrolling table", what: "table", text: label(t),
                by_px: box.scrollWidth - box.clientWidth});
    t.querySelectorAll("td, th").forEach((c) => {
      const copy = c.cloneNode(true);  // math that MathJax typesets is not raw markup
      copy.querySelectorAll(".math, mjx-container, script").forEach((m) => m.remove());
      const txt = copy.textContent;
      if (/\\[a-zA-Z]+|_\{|\^\{|\$[^$]+\$/.test(txt))
        out.push({kind: "raw markup", what: "table cell", text: txt.trim().slice(0, 60)});
    });
  });
  article.querySelectorAll("div.cell_input pre, div.highlight pre").forEach((p) => {
    if (p.scrollWidth > p.clientWidth + 2)
      out.push({kind: "scrolling code", what: "pre", text: label(p),
                by_px: p.scrollWidth - p.clientWidth});
  });
  article.querySelectorAll(".cell_output img").forEach((img) => {
    if (img.naturalWidth > 0 && img.clientWidth / img.naturalWidth < 0.75)
      out.push({kind: "shrunk figure", what: "img",
                text: `${img.naturalWidth}px shown at ${img.clientWidth}px`,
                scale: +(img.clientWidth / img.naturalWidth).toFixed(2)});
  });
  const pre = document.createElement("pre");
  pre.id = "rindoku-page-check";
  pre.textContent = JSON.stringify({column_px: Math.round(article.clientWidth), problems: out});
  document.body.appendChild(pre);
}, 500));
</script>
"""

#: Findings that are printed but do not fail the check.
WARN_ONLY = {"scrolling table"}

_REPORT = re.compile(r'<pre id="rindoku-page-check">(.*?)</pre>', re.S)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("check_pages: no Chromium found; install it with "
                     "`apt-get install chromium` (Debian/Ubuntu) and run again.")


def _run(browser: str, url: str, width: int, extra: list[str], timeout: int = 240) -> str:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--disable-dev-shm-usage", "--no-first-run", "--lang=ja-JP,en-US",
           f"--window-size={width},1000", "--virtual-time-budget=30000", *extra, url]
    with tempfile.TemporaryDirectory(prefix="rindoku-chromium-") as profile:
        proc = subprocess.run(cmd + [f"--user-data-dir={profile}"], capture_output=True,
                              text=True, timeout=timeout)
    return proc.stdout


def check_page(page: Path, browser: str, width: int = 1280) -> dict:
    """Measure one built page; returns ``{"column_px": ..., "problems": [...]}``."""
    page = Path(page).resolve()
    probe = page.with_name(f"__check__{page.name}")
    text = page.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        for _attempt in range(3):  # a loaded machine sometimes runs out of virtual time
            dom = _run(browser, probe.as_uri(), width, ["--dump-dom"])
            m = _REPORT.search(dom)
            if m:
                break
    finally:
        probe.unlink(missing_ok=True)
    if not m:
        return {"column_px": None, "problems": [{"kind": "no report", "what": "page",
                                                 "text": "the probe did not run"}]}
    return json.loads(html.unescape(m.group(1)))


def screenshot(page: Path, browser: str, out: Path, width: int = 1280) -> Path:
    """A PNG of the top of ``page``: ``width`` pixels wide, 2,400 high."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(browser, Path(page).resolve().as_uri(), width, [f"--screenshot={out}", "--window-size="
                                          f"{width},2400"])
    return out


def pages(site: Path) -> list[Path]:
    found = sorted((site / "notebooks").glob("*.html")) + sorted((site / "book").glob("*.html"))
    return [p for p in found if not p.name.startswith("__check__")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--screenshots", type=Path, default=None)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--only", default="", help="check only pages whose name contains this")
    args = ap.parse_args(argv)
    browser = chromium()
    args.site = args.site.resolve()
    if not (args.site / "index.html").exists():
        raise SystemExit(f"check_pages: no built book at {args.site}; run `make book` first.")
    bad = 0
    for page in pages(args.site):
        if args.only and args.only not in page.name:
            continue
        report = check_page(page, browser, args.width)
        rel = page.relative_to(args.site)
        problems = report["problems"]
        bad += any(p["kind"] not in WARN_ONLY for p in problems)
        failing = any(p["kind"] not in WARN_ONLY for p in problems)
        print(f"{'BAD' if failing else ('ok ' if not problems else 'ok*')} {rel} (column {report['column_px']} px)"
              + "".join(f"\n    {p['kind']}: {p['what']} {p.get('text', '')!r}"
                        + (f" by {p['by_px']} px" if p.get("by_px") else "")
                        for p in problems))
        if args.screenshots:
            screenshot(page, browser, args.screenshots / rel.with_suffix(".png"), args.width)
    print(f"{bad} page(s) with problems" if bad else "every page fits its column")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
