"""Notebook hygiene: every chapter is in the book, executed top to bottom in one kernel, free of
errors, carries its Colab badge and run time, starts and ends the way every chapter does, and
has a results file whose claims all hold."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from rindoku import book
from tools.stamping import slides_line

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = book.notebooks(ROOT)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_there_are_chapters():
    assert NOTEBOOKS, "no chapter notebooks found"


def test_toc_and_notebooks_agree():
    listed = {f for f in book.toc_files() if f.startswith("notebooks/")}
    present = {f"notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert listed == present, f"in the toc only: {listed - present}; notebooks not in the toc: {present - listed}"
    for f in book.toc_files():
        assert any((ROOT / f).with_suffix(s).exists() for s in (".md", ".ipynb")), f


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_executed_top_to_bottom_in_one_kernel(notebook):
    path, nb = notebook
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execution counts {counts}"


def test_no_error_outputs(notebook):
    path, nb = notebook
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {[e.ename for e in errors]}"


def test_stream_outputs_are_tidy(notebook):
    path, nb = notebook
    raw = [o.text for c in code_cells(nb) for o in c.outputs if o.output_type == "stream" and "\r" in o.text]
    assert not raw, f"{path.name}: progress-bar redraws stored; run tools/tidy_outputs.py (make run does)"


def test_no_widget_outputs(notebook):
    """Widgets (tqdm.auto in Jupyter) render as empty boxes in the book and in the slides."""
    path, nb = notebook
    widget = "application/vnd.jupyter.widget-view+json"
    assert not any(widget in o.get("data", {}) for c in code_cells(nb) for o in c.outputs), (
        f"{path.name}: widget outputs; use `from tqdm import tqdm` with file=sys.stdout")
    assert "widgets" not in nb.metadata, f"{path.name}: widget state in the notebook metadata"


def test_first_cell_has_title_badge_and_run_time(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    number = path.stem[:2]
    assert re.match(rf"# Chapter {number} — \S", first.source), "title must be '# Chapter NN — ...'"
    assert book.colab_badge(path.stem) in first.source, "Colab badge missing or stale (make run stamps it)"
    assert "colab.research.google.com/github/" in book.colab_url(path.stem)
    assert re.search(r"^\*\*Run time \(default run, 2 CPU cores\):\*\* about \d", first.source, re.M)
    assert "arxiv.org/abs/" in first.source
    assert slides_line(path.stem) in first.source, "slides link missing (make run stamps it)"


def test_one_title_and_no_skipped_heading_levels(notebook):
    path, nb = notebook
    levels = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            in_fence = False
            for line in cell.source.splitlines():
                if line.startswith("```"):
                    in_fence = not in_fence
                m = re.match(r"(#+) ", line)
                if m and not in_fence:
                    levels.append(len(m.group(1)))
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_setup_and_claim_cells(notebook):
    path, nb = notebook
    cells = code_cells(nb)
    url = book.repo_url()
    assert '"google.colab" in sys.modules' in cells[0].source and f"git+{url}" in cells[0].source
    assert any(f'rindoku.start("{path.stem}"' in c.source for c in cells[:3])
    last = cells[-1].source
    assert last.rstrip().endswith("run.finish()") and "run.claim(" in last, "last code cell must check the claims"


def test_results_file_matches_and_verdicts_are_as_reported(notebook):
    path, _ = notebook
    result = book.result_path(path.stem, ROOT)
    assert result.exists(), f"{result.name} missing: execute the notebook with `make run NB={path.relative_to(ROOT)}`"
    data = json.loads(result.read_text())
    assert data["chapter"] == path.stem and isinstance(data["seed"], int) and data["runtime_s"] > 0
    assert data["claims"] and all({"name", "paper", "ours", "op", "threshold", "holds"} <= set(c)
                                  for c in data["claims"]), "claims need ours, op and threshold"
    wrong = [p for c in data["claims"] for p in claims_problems(c)]
    assert not wrong, wrong


def claims_problems(c: dict) -> list[str]:
    """What is wrong with one claim of a results file (see rindoku.claims.Claim.problems)."""
    from rindoku.claims import KINDS, outcome_as_expected

    out = []
    if c.get("kind") is not None and c["kind"] not in KINDS:
        out.append(f"{c['name']}: unknown kind {c['kind']!r}")
    if c.get("kind") == "paper" and c.get("verdict") is None:
        out.append(f"{c['name']}: a paper claim without a verdict")
    if not outcome_as_expected(c.get("kind"), c.get("expect"), c["holds"]):
        out.append(f"{c['name']}: outcome not as reported ({c.get('expect') or c.get('kind')})")
    if c.get("kind") == "paper" and c.get("null_holds"):
        out.append(f"{c['name']}: its null passes the same test")
    return out


#: Chapters whose claims are classified (kind, expect, null); the others are reworked in their
#: own issues and show "not yet classified" until then.
CLASSIFIED = {"01_nlhf_nash_md", "02_rlcd", "03_rain", "04_fact_rlhf", "05_gflownet_inference",
              "06_logicot", "07_reversal_curse", "08_boolformer",
              "09_counterfactual_simulatability", "10_input_clarification_ensembling",
              "11_mentallama", "12_qwen_context_extension", "13_long_context_rope_abf",
              "14_vit_registers", "15_graph_neural_prompting"}


def test_classified_chapters_have_kind_on_every_claim(notebook):
    path, _ = notebook
    if path.stem not in CLASSIFIED:
        pytest.skip("claims not yet classified (its own issue reworks the chapter)")
    data = json.loads((book.result_path(path.stem, ROOT)).read_text())
    missing = [c["name"] for c in data["claims"] if c.get("kind") not in ("paper", "control")]
    assert not missing, f"claims without kind: {missing}"
    assert any(c["kind"] == "paper" for c in data["claims"]), "no paper claim"
    # names, paper statements and notes are shown as plain text on the results page
    markup = [text for c in data["claims"] for text in (c["name"], c.get("paper"), c.get("note"))
              if isinstance(text, str) and re.search(r"[_^$\\]", text)]
    assert not markup, f"markup characters (_ ^ $ \\) in claim texts: {markup}"


def test_verdicts_hold_across_seeds(notebook):
    """The committed seed sweep covers at least seeds 0-3 (the book's chapters use 0-5) and
    every claim the notebook makes, and every claim's outcome across seeds is the one the
    chapter reports (rindoku.claims.sweep_problems: controls and "reproduced" claims hold on
    every seed, "not reproduced" ones on none, "partly" ones on some but not all, no null
    passes, a flagged claim has ten seeds); the notebook shows the sweep instead of typed
    ranges."""
    from rindoku.claims import sweep_problems

    path, nb = notebook
    sweep = book.sweep_path(path.stem, ROOT)
    assert sweep.exists(), f"no seed sweep: make seeds NB={path.relative_to(ROOT)}"
    summary = json.loads(sweep.read_text())
    assert set(range(4)) <= set(summary["seeds"]), summary["seeds"]
    assert not summary["failed_runs"], summary["failed_runs"]
    result = json.loads((book.result_path(path.stem, ROOT)).read_text())
    names = [c["name"] for c in result["claims"]]
    assert names == [c["name"] for c in summary["claims"]], "sweep is stale: claims differ"
    problems = sweep_problems(summary)
    assert not problems, problems
    assert any(f'sweep_table("{path.stem}")' in c.source for c in code_cells(nb))


def test_every_notebook_is_registered():
    registry = book.load_registry()
    names = {book.chapter_name(ch) for ch in registry["chapters"]}
    for path in NOTEBOOKS:
        assert path.stem in names, f"{path.stem} is not in book/chapters.yml"


MAX_IMAGE_PX = 880  # rindoku.plotting.MAX_WIDTH (8 in) at 100 dpi, plus tight-bbox slack
MAX_CODE_COLUMNS = 88


def test_figures_fit_the_content_column(notebook):
    """A figure wider than 8 inches shrinks in the book until its labels are unreadable."""
    import base64
    import struct

    path, nb = notebook
    wide = []
    for i, cell in enumerate(code_cells(nb)):
        for out in cell.outputs:
            png = out.get("data", {}).get("image/png") if hasattr(out, "get") else None
            if png:
                width = struct.unpack(">I", base64.b64decode(png)[16:20])[0]
                if width > MAX_IMAGE_PX:
                    wide.append((i + 1, width))
    assert not wide, f"{path.name}: figures wider than {MAX_IMAGE_PX} px (code cell, px): {wide}"


def test_code_lines_fit_the_page(notebook):
    path, nb = notebook
    long = [(i + 1, len(line)) for i, c in enumerate(code_cells(nb))
            for line in c.source.splitlines() if len(line) > MAX_CODE_COLUMNS]
    assert not long, f"{path.name}: code lines over {MAX_CODE_COLUMNS} columns (cell, length): {long}"


def test_notebooks_are_formatted(notebook):
    """ruff format (88 columns, pyproject.toml) leaves the notebook's code as it is."""
    import shutil
    import subprocess
    import sys

    path, _ = notebook
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is missing: pip install -r requirements.txt"
    proc = subprocess.run([ruff, "format", "--check", "--diff", str(path)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"run `ruff format {path.relative_to(ROOT)}`:\n{proc.stdout[-2000:]}"


def test_japanese_summary_follows_the_title(notebook):
    path, nb = notebook
    second = nb.cells[1]
    assert second.cell_type == "markdown" and "要約" in second.source, \
        "the second cell is the Japanese summary (要約)"
    assert ":class: tip language-ja\n" in second.source, \
        "the summary is marked as Japanese (docutils writes lang=\"ja\" for language-ja)"
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff"
               for ch in second.source.replace("要約", "")), "the summary is in Japanese"


def test_figures_have_alt_text(notebook):
    """Every figure says what it shows to a reader who cannot see it: the cell's
    ``mystnb.image.alt`` metadata (myst-nb writes it as the image's alt text), not the hashed
    file name the book would show otherwise."""
    path, nb = notebook
    missing = [i + 1 for i, c in enumerate(code_cells(nb))
               if any("image/png" in o.get("data", {}) for o in c.get("outputs", []))
               and len(c.metadata.get("mystnb", {}).get("image", {}).get("alt", "")) < 40]
    assert not missing, f"{path.name}: figures without alt text in code cells {missing}"
