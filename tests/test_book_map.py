"""tools/book_map.py: the map's layout is data, and the drawing places every chapter."""
import re
import struct
from pathlib import Path

import pytest

from tools import book_map

ROOT = Path(__file__).resolve().parents[1]


def _boxes_in(row):
    if row["row"] == "columns":
        return [line for c in row["columns"] for line in c["lines"] if line in book_map.BOXES]
    return list(row.get("boxes", []))


def test_layout_shows_every_box_once_and_every_group():
    shown = [key for row in book_map.LAYOUT for key in _boxes_in(row)]
    assert sorted(shown) == sorted(book_map.BOXES)
    assert {b["group"] for b in book_map.BOXES.values()} == set(book_map.GROUP_COLOR)
    assert {row["row"] for row in book_map.LAYOUT} <= {"note", "columns", "side by side", "frame"}


def _png_size(path):
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def _registry(per_box):
    chapters, n = [], 0
    for box, count in per_box.items():
        for _ in range(count):
            n += 1
            chapters.append({"number": n, "slug": f"c{n}", "short": f"Chapter {n}", "box": box})
    return {"chapters": chapters}


@pytest.mark.parametrize("per_box", [
    {"rl": 1},  # most boxes empty: "no chapter yet"
    {key: 2 for key in book_map.BOXES},
])
def test_map_is_drawn_8_inches_wide_and_grows_with_the_chapters(tmp_path, per_box):
    files = book_map.draw_map(_registry(per_box), root=tmp_path, out_dir=tmp_path)
    assert sorted(p.name for p in files) == ["map.png", "map.svg"]
    width, height = _png_size(tmp_path / "map.png")
    assert width == 1600  # 8 inches at 200 dpi: the content column, labels at full size
    more = book_map.draw_map(_registry({k: 2 * v for k, v in per_box.items()}), root=tmp_path,
                             out_dir=tmp_path / "more", formats=("png",))
    assert _png_size(more[0])[1] > height  # more chips make a taller figure
    assert (tmp_path / "map.svg").read_text().startswith("<?xml")


def test_written_and_coming_chapters_are_drawn_differently(tmp_path):
    from rindoku.book import load_registry

    registry = load_registry(ROOT)
    assert {c["box"] for c in registry["chapters"]} <= set(book_map.BOXES)
    # in the book every chapter is written; under tmp_path (no notebooks) all are "coming"
    (written,) = book_map.draw_map(registry, root=ROOT, out_dir=tmp_path / "w", formats=("svg",))
    (coming,) = book_map.draw_map(registry, root=tmp_path, out_dir=tmp_path / "c",
                                  formats=("svg",))
    assert written.read_text() != coming.read_text()
    # a written chapter's chip links to its page (from _static/, where the SVG is served);
    # a coming one has no page to link to
    links = set(re.findall(r'<a xlink:href="([^"]+)" target="_top"', written.read_text()))
    assert "../notebooks/07_reversal_curse.html" in links
    assert len(links) == len(registry["chapters"])
    assert 'target="_top"' not in coming.read_text()
