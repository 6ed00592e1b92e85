"""tools/make_slides.py: which cells a chapter's seminar deck shows."""

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_slides", ROOT / "tools" / "make_slides.py")
ms = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ms)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _chapter():
    nbv = nbformat.v4
    fig = nbv.new_code_cell("plot()", execution_count=3,
                            outputs=[nbv.new_output("display_data", data={"image/png": PNG})])
    return nbv.new_notebook(cells=[
        nbv.new_markdown_cell("# Chapter 99 — Demo\n\ncitation"),
        nbv.new_markdown_cell(":::{admonition} 要約\n日本語の要約。\n:::"),
        nbv.new_markdown_cell("## What the paper claims\n\nThe claim."),
        nbv.new_markdown_cell("## Setup"),
        nbv.new_code_cell("import rindoku", execution_count=1),
        nbv.new_markdown_cell("## Method\n\nprose"),
        nbv.new_markdown_cell("The update\n\n$$x_{t+1} = x_t - \\eta g$$"),
        nbv.new_code_cell("def step(): ...", execution_count=2),
        fig,
        nbv.new_markdown_cell("## For the seminar\n\n1. Why?"),
        nbv.new_code_cell("run.finish()", execution_count=4),
    ])


def test_deck_keeps_claims_method_figures_and_questions():
    types = ms.slide_types(_chapter())
    assert types == ["slide", "slide", "slide", "skip", "skip", "skip", "slide", "skip",
                     "slide", "slide", "slide"]


def test_own_metadata_wins():
    nb = _chapter()
    nb.cells[4].metadata["slideshow"] = {"slide_type": "fragment"}
    assert ms.slide_types(nb)[4] == "fragment"


def test_deck_html_has_sections_and_no_code(tmp_path):
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(_chapter(), str(path))
    html = ms.deck(path)
    assert html.count("<section") >= 7
    assert "要約" in html and "def step()" not in html and "import rindoku" not in html
    assert "reveal" in html.lower()
