"""tools/check_pages.py on a synthetic page: the probe finds what a reader would notice."""

import shutil
from pathlib import Path

import pytest

from tools import check_pages as cp

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None,
                                reason="needs Debian's chromium (make browser installs it)")

PAGE = """<!doctype html><html><head><style>
article {{ width: 600px; }} .cell_output .output {{ overflow-x: auto; }}
</style></head><body><main><article class="bd-article">
<p>text</p>{body}
</article></main></body></html>"""


def _check(tmp_path, body):
    page = tmp_path / "page.html"
    page.write_text(PAGE.format(body=body))
    return [p["kind"] for p in cp.check_page(page, cp.chromium())["problems"]]


def test_a_tidy_page_passes(tmp_path):
    body = ('<div class="cell_output"><div class="output"><table><tr><td>a</td>'
            '<td><span class="math">\\(\\pi_{\\beta}\\)</span></td></tr></table></div></div>'
            '<div class="cell_input"><pre>x = 1</pre></div>')
    assert _check(tmp_path, body) == []


def test_wide_table_long_code_raw_markup_and_overflow_are_found(tmp_path):
    wide = "<td style='white-space: nowrap'>" + "w" * 300 + "</td>"
    body = (f'<div class="cell_output"><div class="output"><table><tr>{wide}'
            '<td>π_{β=0.1}</td></tr></table></div></div>'
            '<div class="cell_input"><pre style="overflow-x: auto">' + "y" * 400 + "</pre></div>"
            '<img src="data:," style="width: 900px; height: 10px; display: block">')
    kinds = _check(tmp_path, body)
    assert {"scrolling table", "raw markup", "scrolling code", "overflow"} <= set(kinds), kinds
    assert "scrolling table" in cp.WARN_ONLY and "scrolling code" not in cp.WARN_ONLY
