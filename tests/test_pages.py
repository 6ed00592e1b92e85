"""Unit tests for tools/make_pages.py (generated pages, Colab URLs, notebook stamping)."""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools import make_pages as mp

ROOT = Path(__file__).resolve().parents[1]

CONFIG = {"repository": {"url": "https://github.com/owner/repo", "branch": "dev"}}


@pytest.fixture
def registry():
    return mp.load_registry(ROOT)


def test_registry_has_all_chapters_and_map(registry):
    numbers = [c["number"] for c in registry["chapters"]]
    assert numbers == list(range(1, 16))
    assert registry["map"]["paper"]["arxiv"] == "2309.15025"
    for ch in registry["chapters"]:
        assert ch["box"] in mp.BOXES, ch
        assert ch["short"] and ch["hook"] and ch["area"]
        assert all(n in numbers and n != ch["number"] for n in ch.get("read_with", []))
        p = ch["paper"]
        assert p["title"] and p["authors"] and p["year"] and p["arxiv"]


def test_registry_bibkeys_exist_in_references(registry):
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = [c["paper"]["bibkey"] for c in registry["chapters"]] + [
        registry["map"]["paper"]["bibkey"]]
    for key in keys:
        assert "{" + key + "," in bib, key
    for ch in registry["chapters"]:
        assert ch["paper"]["arxiv"] in bib


def test_config_repository_and_colab_url():
    config = mp.load_config(ROOT)
    assert mp.repo_url(config) == "https://github.com/rindoku-book/rindoku"
    assert mp.repo_branch(config) == "main"
    assert mp.colab_url("07_reversal_curse", CONFIG) == (
        "https://colab.research.google.com/github/owner/repo/blob/dev/"
        "notebooks/07_reversal_curse.ipynb")
    assert mp.colab_url("07_reversal_curse.ipynb", CONFIG) == mp.colab_url(
        "07_reversal_curse", CONFIG)
    assert mp.repo_url({"repository": {"url": "https://github.com/a/b.git/"}}) == (
        "https://github.com/a/b")


def test_format_runtime_and_line():
    assert mp.format_runtime(20) == "about 1 min"
    assert mp.format_runtime(123.4) == "about 2 min"
    assert mp.runtime_line({"runtime_s": 150, "seed": 3}) == (
        "**Run time (default run, 2 CPU cores):** about 2 min — measured 150 s with seed 3.")


def test_render_results_without_files(tmp_path):
    text = mp.render_results(tmp_path / "missing")
    assert "No chapter has recorded results yet" in text
    assert "No chapter" in mp.render_results(tmp_path)


def _claim(name, ours, op, threshold, kind=None, expect=None, null=None, **extra):
    from rindoku.claims import holds

    return {"name": name, "paper": extra.pop("paper", None), "ours": ours, "op": op,
            "threshold": threshold, "holds": holds(ours, op, threshold), "kind": kind,
            "expect": expect, "null": null, **extra}


def test_render_results_scoreboard(tmp_path, registry):
    from rindoku.claims import summarise_sweep

    res = tmp_path / "results"
    (res / "sweeps").mkdir(parents=True)

    def run(seed, gap):
        return {"chapter": "07_reversal_curse", "seed": seed, "runtime_s": 123.4, "claims": [
            _claim("same direction", 0.98, ">=", 0.9, "paper", "reproduced", paper="96.7%",
                   note="held-out"),
            _claim("reverse | above a null", gap, ">=", 0.05, "paper", "partly", null=0.0),
            _claim("bigger models escape", 4.37e-05, ">", 0.1, "paper", "not reproduced",
                   paper="no"),
            _claim("facts learned", 1.0, ">=", 0.95, "control")]}

    runs = {0: run(0, 0.1), 1: run(1, 0.01), 2: run(2, 0.2)}
    (res / "07_reversal_curse.json").write_text(json.dumps(runs[0]))
    (res / "sweeps" / "07_reversal_curse.json").write_text(json.dumps(summarise_sweep(runs)))
    (res / "04_fact_rlhf.json").write_text(json.dumps({
        "chapter": "04_fact_rlhf", "seed": 0, "runtime_s": 60,
        "claims": [_claim("old style", 1.0, ">", 0.5)]}))
    (res / "broken.json").write_text("{not json")
    text = mp.render_results(res, registry)
    # book-wide totals count only classified chapters; unclassified ones are named
    assert "✓ 1 reproduced · ◐ 1 partly · ✗ 1 not reproduced, in 1 chapter whose" in text
    assert "1 of 1 hold on every seed" in text
    assert "**Not yet classified** into paper claims and controls: 1 check in chapters 04," in text
    assert "| not yet classified (1 check) |" in text
    assert "## 07 · The Reversal Curse" in text
    # paper claims first with their verdict across seeds; never a ✓ beside a failure
    assert ("| ✓ reproduced | same direction (held-out) | 96.7% | 0.98 | — | ≥ 0.9 "
            "| 3 of 3 seeds hold; margin ≥ 0.08 |") in text
    assert "| ◐ partly | reverse \\| above a null | — | 0.1 | 0 | ≥ 0.05 | 2 of 3 seeds hold |" in text
    assert "| ✗ not reproduced | bigger models escape | no | 4.37×10⁻⁵ |" in text
    assert "| control, holds | facts learned |" in text
    assert "e-05" not in text and "Seed |" not in text  # no broken numbers, no seed column
    assert "2.1 min (123 s)" in text
    assert "broken.json" in text  # unreadable files are reported, not fatal
    assert "{doc}" not in text  # no links without a root holding the notebook
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    (nb_dir / "07_reversal_curse.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["## What reproduced, and what did not\n"]}]}))
    linked = mp.render_results(res, registry, root=tmp_path)
    assert "{doc}`07 · Reversal curse </notebooks/07_reversal_curse>`" in linked
    assert "(../notebooks/07_reversal_curse.ipynb#what-reproduced-and-what-did-not)" in linked


def test_cells_escape_markup():
    assert mp._cell("π*_τ") == "π\\*\\_τ" and mp._cell(-3) == "−3"


def test_render_chapters_status(tmp_path, registry):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "07_reversal_curse.ipynb").write_text("{}")
    text = mp.render_chapters(registry, tmp_path, {"07_reversal_curse": {"runtime_s": 90}})
    rows = [l for l in text.splitlines() if l.startswith("| 0") or l.startswith("| 1")]
    assert len(rows) == 15
    row7 = next(r for r in rows if r.startswith("| 07"))
    assert "written" in row7 and "</notebooks/07_reversal_curse>" in row7 and "1.5 min" in row7
    assert all("coming" in r for r in rows if not r.startswith("| 07"))
    assert "{doc}" not in "".join(r for r in rows if not r.startswith("| 07"))
    assert "coming" in mp.render_areas(registry, tmp_path)


def _tiny_notebook(path):
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell(
            "# Title\n\nCitation.\n\n"
            "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            "(https://colab.research.google.com/github/OWNER/REPO/blob/BRANCH/notebooks/x.ipynb)"
            "\n\n**Run time:** TBD"),
        new_code_cell("%pip install git+https://github.com/OWNER/REPO@main#subdirectory=lib",
                      execution_count=1,
                      outputs=[new_output("stream", name="stdout", text="ok\n")]),
        new_markdown_cell("[![Open In Colab](x)](y)\n\n**Run time** untouched"),
    ]
    nbformat.write(nb, str(path))


def test_stamp_notebook(tmp_path):
    nb_path = tmp_path / "07_reversal_curse.ipynb"
    _tiny_notebook(nb_path)
    res = tmp_path / "results"
    res.mkdir()
    (res / "07_reversal_curse.json").write_text(json.dumps({"seed": 5, "runtime_s": 61.2}))
    assert mp.stamp_notebook(nb_path, CONFIG, res) is True
    nb = nbformat.read(nb_path, as_version=4)
    first = nb.cells[0].source
    assert ("(https://colab.research.google.com/github/owner/repo/blob/dev/notebooks/"
            "07_reversal_curse.ipynb)") in first
    assert ("**Run time (default run, 2 CPU cores):** about 1 min — measured 61 s with "
            "seed 5.") in first
    assert "TBD" not in first
    assert first.count("**Seminar slides:**") == 1
    assert '<a href="../slides/07_reversal_curse.slides.html">' in first
    assert first.index("**Run time") < first.index("**Seminar slides:**")
    code = nb.cells[1]
    assert code.source == ("%pip install git+https://github.com/owner/repo@main"
                           "#subdirectory=lib")
    assert code.execution_count == 1 and code.outputs[0].text == "ok\n"
    assert nb.cells[2].source == "[![Open In Colab](x)](y)\n\n**Run time** untouched"
    # idempotent: a second run changes nothing, byte for byte
    before = nb_path.read_bytes()
    assert mp.stamp_notebook(nb_path, CONFIG, res) is False
    assert nb_path.read_bytes() == before
    assert json.loads(before)["nbformat"] == 4 and b'\n "cells": [\n' in before  # indent 1


def test_stamp_without_results_inserts_badge(tmp_path):
    nb_path = tmp_path / "03_rain.ipynb"
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# RAIN\n\n**Run time:** not measured yet")]
    nbformat.write(nb, str(nb_path))
    assert mp.stamp_notebook(nb_path, CONFIG, tmp_path / "none") is True
    src = nbformat.read(nb_path, as_version=4).cells[0].source
    assert src.splitlines()[2] == mp.colab_badge("03_rain", CONFIG)
    assert "**Run time:** not measured yet" in src  # left alone without a results file
    assert mp.stamp_notebook(nb_path, CONFIG, tmp_path / "none") is False


def test_main_check_mode(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/owner/repo\n  branch: dev\n")
    _tiny_notebook(tmp_path / "notebooks" / "01_x.ipynb")
    assert mp.main(["--stamp", "--check", "--root", str(tmp_path)]) == 1
    assert mp.main(["--stamp", "--root", str(tmp_path)]) == 0
    assert mp.main(["--stamp", "--check", "--root", str(tmp_path)]) == 0
