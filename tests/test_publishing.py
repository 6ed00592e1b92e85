"""The repository as a publishable book: licences, a valid citation file, one version."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_licences_are_stated():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    content = (ROOT / "LICENSE-CONTENT.md").read_text()
    assert "CC BY 4.0" in content and "creativecommons.org/licenses/by/4.0" in content
    readme = (ROOT / "README.md").read_text()
    assert "LICENSE" in readme and "CC BY 4.0" in readme
    footer = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["extra_footer"]
    assert "CC BY 4.0" in footer and "MIT" in footer


def test_citation_file_is_valid_and_current():
    """The fields CFF 1.2.0 requires, with the version and repository the book uses."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(cff)
    assert all(isinstance(a, dict) and ("name" in a or "family-names" in a)
               for a in cff["authors"])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cff["repository-code"] == config["repository"]["url"]


def test_changelog_names_the_current_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert re.search(rf"^## {re.escape(project['version'])}\b",
                     (ROOT / "CHANGELOG.md").read_text(), re.M)


def test_one_version():
    import rindoku

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert rindoku.__version__ == project["version"]
