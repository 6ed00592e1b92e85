"""The book as data: its configuration, its chapters, its table of contents, and where the
results of its runs and seed sweeps are kept.

One place for what the tools (``tools/make_pages.py``, ``tools/sweep.py``,
``tools/make_slides.py``), the tests and :mod:`rindoku.claims` know about the repository:

* ``_config.yml``: :func:`load_config`, :func:`repo_url`, :func:`repo_branch`,
  :func:`owner_repo`, :func:`colab_url`, :func:`colab_badge`;
* ``book/chapters.yml`` (the registry) and ``_toc.yml``: :func:`load_registry`,
  :func:`chapter_name`, :func:`toc_files`, :func:`in_book`, :func:`notebook_exists`,
  :func:`notebooks`;
* ``results/NN_slug.json`` (one run of a chapter) and ``results/sweeps/NN_slug.json`` (its
  seed sweep): :func:`results_dir`, :func:`sweeps_dir`, :func:`result_path`,
  :func:`sweep_path`, :func:`load_results`, :func:`load_sweeps`, :func:`load_sweep`.

Functions that read the repository take ``root`` (default :data:`ROOT`, the checkout this
package is installed from, else the book above the working directory).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

#: The environment variable that redirects results files (the tests and the seed sweep use it).
RESULTS_VARIABLE = "RINDOKU_RESULTS"
COLAB = "https://colab.research.google.com"
BADGE_IMG = f"{COLAB}/assets/colab-badge.svg"
ARXIV = "https://arxiv.org/abs/{}"


def find_repo_root(start: Path | str | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the working directory) that holds
    the book (``_config.yml`` and ``notebooks/``), or None (e.g. in Colab, where only the
    notebook is present).

    >>> find_repo_root(ROOT / "notebooks") == ROOT
    True
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / "_config.yml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return None


#: The book's checkout: the repository this package is installed from (editable install), or
#: the book above the working directory; None where there is no book (a wheel in Colab).
ROOT: Path | None = find_repo_root(Path(__file__).resolve().parent) or find_repo_root()


def _root(root: Path | str | None) -> Path:
    root = root if root is not None else ROOT
    if root is None:
        raise FileNotFoundError("no book checkout here: pass root=")
    return Path(root)


# ---------------------------------------------------------------------------- config
def load_config(root: Path | str | None = None) -> dict:
    """``_config.yml`` of the book at ``root`` as a dict.

    >>> load_config()["repository"]["branch"]
    'main'
    """
    import yaml

    with open(_root(root) / "_config.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def repo_url(config: dict | None = None) -> str:
    """The repository URL, without a trailing slash or ``.git``.

    >>> repo_url({"repository": {"url": "https://github.com/a/b.git/"}})
    'https://github.com/a/b'
    """
    config = load_config() if config is None else config
    url = config["repository"]["url"].strip().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def repo_branch(config: dict | None = None) -> str:
    """The branch the book is built from (``repository: branch``, default ``main``).

    >>> repo_branch({"repository": {"url": "https://github.com/a/b"}})
    'main'
    """
    config = load_config() if config is None else config
    return config["repository"].get("branch", "main")


def owner_repo(config: dict | None = None) -> tuple[str, str]:
    """``(owner, repo)`` of a GitHub repository URL.

    >>> owner_repo({"repository": {"url": "https://github.com/rindoku-book/rindoku"}})
    ('rindoku-book', 'rindoku')
    """
    m = re.match(r"https?://github\.com/([^/]+)/([^/]+)$", repo_url(config))
    if not m:
        raise ValueError(f"not a GitHub repository URL: {repo_url(config)!r}")
    return m.group(1), m.group(2)


def colab_url(name: str, config: dict | None = None) -> str:
    """Colab URL that opens ``notebooks/<name>.ipynb`` from the configured branch.

    >>> colab_url("07_reversal_curse", {"repository": {"url": "https://github.com/o/r",
    ...                                                 "branch": "main"}})
    'https://colab.research.google.com/github/o/r/blob/main/notebooks/07_reversal_curse.ipynb'
    """
    config = load_config() if config is None else config
    owner, repo = owner_repo(config)
    name = name[:-6] if name.endswith(".ipynb") else name
    return f"{COLAB}/github/{owner}/{repo}/blob/{repo_branch(config)}/notebooks/{name}.ipynb"


def colab_badge(name: str, config: dict | None = None) -> str:
    """The markdown line with the Colab badge for ``notebooks/<name>.ipynb``.

    >>> colab_badge("x", {"repository": {"url": "https://github.com/o/r"}})[:40]
    '[![Open In Colab](https://colab.research'
    """
    return f"[![Open In Colab]({BADGE_IMG})]({colab_url(name, config)})"


# -------------------------------------------------------------------------- registry
def load_registry(root: Path | str | None = None) -> dict:
    """``book/chapters.yml``: ``{"map": {...}, "chapters": [...]}``, chapters in number
    order.

    >>> len(load_registry()["chapters"])
    15
    """
    import yaml

    with open(_root(root) / "book" / "chapters.yml", encoding="utf-8") as f:
        reg = yaml.safe_load(f)
    reg["chapters"] = sorted(reg["chapters"], key=lambda c: c["number"])
    return reg


def chapter_name(ch: dict) -> str:
    """Notebook stem of a registry entry, e.g. ``07_reversal_curse``.

    >>> chapter_name({"number": 7, "slug": "reversal_curse"})
    '07_reversal_curse'
    """
    return f"{ch['number']:02d}_{ch['slug']}"


def registry_by_name(registry: dict | None) -> dict:
    """The registry's chapters keyed by notebook stem.

    >>> list(registry_by_name({"chapters": [{"number": 7, "slug": "x"}]}))
    ['07_x']
    """
    if not registry:
        return {}
    return {chapter_name(c): c for c in registry.get("chapters", [])}


def toc_files(root: Path | str | None = None) -> list[str] | None:
    """Every file ``_toc.yml`` lists (its root first), or None if there is no ``_toc.yml``.

    >>> toc_files()[0]
    'book/intro'
    """
    import yaml

    toc_path = _root(root) / "_toc.yml"
    if not toc_path.is_file():
        return None
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8")) or {}
    files = [toc["root"]] if toc.get("root") else []
    return files + [c.get("file", "") for part in toc.get("parts", [])
                    for c in part.get("chapters", [])]


def in_book(name: str, root: Path | str | None = None) -> bool:
    """Whether the notebook ``notebooks/<name>.ipynb`` exists and ``_toc.yml`` lists it (a
    draft that is not in the table of contents is not part of the book yet).

    >>> in_book("07_reversal_curse"), in_book("99_nothing")
    (True, False)
    """
    if not (_root(root) / "notebooks" / f"{name}.ipynb").is_file():
        return False
    listed = toc_files(root)
    return listed is None or f"notebooks/{name}" in listed


def notebook_exists(ch: dict, root: Path | str | None = None) -> bool:
    """Whether the registry entry's chapter is written (see :func:`in_book`)."""
    return in_book(chapter_name(ch), root)


def notebooks(root: Path | str | None = None) -> list[Path]:
    """The chapters' notebooks, ``notebooks/NN_slug.ipynb``, in number order.

    >>> [p.stem for p in notebooks()][:2]
    ['01_nlhf_nash_md', '02_rlcd']
    """
    return sorted((_root(root) / "notebooks").glob("[0-9][0-9]_*.ipynb"))


# ---------------------------------------------------------------------------- results
def results_dir() -> Path:
    """Where a run writes its results file: ``RINDOKU_RESULTS`` if set, else
    ``<repo>/results`` for the book above the working directory, else ``./results``."""
    if os.environ.get(RESULTS_VARIABLE):
        return Path(os.environ[RESULTS_VARIABLE])
    root = find_repo_root()
    return (root / "results") if root else Path("results")


def sweeps_dir() -> Path:
    """Where seed-sweep summaries are looked for first: ``<results_dir()>/sweeps``
    (:func:`load_sweep` falls back to the committed ``<repo>/results/sweeps``)."""
    return results_dir() / "sweeps"


def committed_results_dir(root: Path | str | None = None) -> Path:
    """The committed results of the book at ``root``: ``<root>/results``.

    >>> committed_results_dir(Path("/book")).as_posix()
    '/book/results'
    """
    return _root(root) / "results"


def result_path(name: str, root: Path | str | None = None) -> Path:
    """The committed results file of chapter ``name``.

    >>> result_path("07_reversal_curse", Path("/book")).as_posix()
    '/book/results/07_reversal_curse.json'
    """
    return committed_results_dir(root) / f"{name}.json"


def sweep_path(name: str, root: Path | str | None = None) -> Path:
    """The committed seed sweep of chapter ``name``.

    >>> sweep_path("07_reversal_curse", Path("/book")).as_posix()
    '/book/results/sweeps/07_reversal_curse.json'
    """
    return committed_results_dir(root) / "sweeps" / f"{name}.json"


def load_results(results_dir: Path | str) -> tuple[dict, list[str]]:
    """Read every ``*.json`` of a results folder.

    Returns ``(results, problems)``: results maps the chapter (its ``chapter`` field, else
    the file stem) to the parsed dict; problems lists files that could not be read, with
    why. A missing folder gives ``({}, [])``.

    >>> load_results("/no/such/folder")
    ({}, [])
    """
    results, problems = {}, []
    d = Path(results_dir)
    if not d.is_dir():
        return results, problems
    for p in sorted(d.glob("*.json")):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("top level is not an object")
        except (OSError, ValueError) as e:
            problems.append(f"{p.name}: {e}")
            continue
        results[data.get("chapter") or p.stem] = data
    return results, problems


def load_sweeps(results_dir: Path | str) -> dict:
    """Every seed-sweep summary in ``<results_dir>/sweeps``, keyed by chapter."""
    sweeps, _ = load_results(Path(results_dir) / "sweeps")
    return sweeps


def load_sweep(name: str, folder: Path | str | None = None) -> dict | None:
    """The seed-sweep summary of chapter ``name`` from ``folder``, else from
    :func:`sweeps_dir` and then the committed ``<repo>/results/sweeps``; None when there is
    none (e.g. in Colab, where only the notebook is present).

    >>> load_sweep("07_reversal_curse")["seeds"][:2]
    [0, 1]
    """
    candidates = [Path(folder)] if folder else [sweeps_dir()]
    root = find_repo_root()
    if folder is None and root is not None:
        candidates.append(committed_results_dir(root) / "sweeps")
    for d in candidates:
        path = d / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None
