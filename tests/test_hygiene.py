"""Hygiene of the chapters' code (issue 26): code cells of a screen or less, the library's
recipes used instead of re-written, one import style. Every chapter meets all three.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_CELL_LINES = 60

#: Recipes the library has, and a cheap sign that a chapter writes one out again.
RECIPES = {
    "training loop (rindoku.training.fit)":
        re.compile(r"clip_grad_norm_|get_cosine_schedule_with_warmup"),
    "progress bar (rindoku.progress.bar)": re.compile(r"\btqdm\("),
    "option scoring (rindoku.lm.option_logprobs)":
        re.compile(r"\[\w+\] \* len\(\w+\)|\.logits\[[^\]]*-1\][^\n]*\.gather\("),
    "table without index (rindoku.claims.hide_index)":
        re.compile(r"\.style\.hide\(axis=.index.\)"),
    "reward-model training (rindoku.reward)": re.compile(r"\bRewardTrainer\("),
}
#: The one import style: `import rindoku` and `from rindoku import lm, models, ...`.
OTHER_IMPORTS = re.compile(r"^\s*(from rindoku\.\w+ import|import rindoku\.|"
                           r"from rindoku import .*\bas\b)", re.M)


def code(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def long_cells(path):
    lines = [sum(1 for line in src.splitlines() if line.strip()) for src in code(path)]
    return [(i + 1, n) for i, n in enumerate(lines) if n > MAX_CELL_LINES]


def recipes(path):
    text = "\n".join(code(path))
    return sorted(name for name, sign in RECIPES.items() if sign.search(text))


def imports(path):
    return sorted({m.group(0).strip() for m in OTHER_IMPORTS.finditer("\n".join(code(path)))})


CHAPTERS = [pytest.param(p, id=p.stem) for p in NOTEBOOKS]


@pytest.mark.parametrize("path", CHAPTERS)
def test_code_cells_fit_a_screen(path):
    assert not long_cells(path), f"code cells over {MAX_CELL_LINES} lines (cell, lines)"


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapters_use_the_librarys_recipes(path):
    assert not recipes(path), "written out again instead of taken from the library"


@pytest.mark.parametrize("path", CHAPTERS)
def test_one_import_style(path):
    assert not imports(path), "import rindoku, then `from rindoku import lm, models, ...`"


def test_the_signs_find_what_they_look_for():
    assert RECIPES["training loop (rindoku.training.fit)"].search(
        "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)")
    assert RECIPES["option scoring (rindoku.lm.option_logprobs)"].search(
        "lm.completion_logprobs(smol, tok, [prompt] * len(options), options)")
    assert RECIPES["option scoring (rindoku.lm.option_logprobs)"].search(
        "logits = peft_lm(input_ids=b).logits[:, -1].gather(1, b)")
    assert not RECIPES["progress bar (rindoku.progress.bar)"].search("progress.bar(x)")
    assert OTHER_IMPORTS.search("from rindoku.lm import sample")
    assert OTHER_IMPORTS.search("from rindoku import models as rindoku_models")
    assert not OTHER_IMPORTS.search("from rindoku import lm, models, plotting")
