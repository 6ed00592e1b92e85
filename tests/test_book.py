"""rindoku.book: the book's configuration, chapters, table of contents and results files;
and the names that moved out of rindoku.claims, still reachable there."""
import json
from pathlib import Path

import pytest

from rindoku import book, claims, env, sweeps

ROOT = Path(__file__).resolve().parents[1]


def test_the_checkout_is_found_and_described():
    assert book.ROOT == ROOT
    assert book.find_repo_root(ROOT / "notebooks" / "x") == ROOT
    names = [book.chapter_name(c) for c in book.load_registry()["chapters"]]
    assert [p.stem for p in book.notebooks()] == sorted(names)
    assert all(book.in_book(n) for n in names)
    assert book.repo_url().startswith("https://github.com/")


def test_results_and_sweep_paths_and_loaders(tmp_path, monkeypatch):
    (tmp_path / "results" / "sweeps").mkdir(parents=True)
    book.result_path("07_x", tmp_path).write_text(json.dumps({"chapter": "07_x", "claims": []}))
    book.sweep_path("07_x", tmp_path).write_text(json.dumps({"seeds": [0, 1], "claims": []}))
    (tmp_path / "results" / "broken.json").write_text("{")
    results, problems = book.load_results(book.committed_results_dir(tmp_path))
    assert list(results) == ["07_x"] and problems and problems[0].startswith("broken.json")
    assert book.load_sweeps(tmp_path / "results")["07_x"]["seeds"] == [0, 1]
    assert book.load_sweep("07_x", tmp_path / "results" / "sweeps")["seeds"] == [0, 1]
    monkeypatch.setenv(book.RESULTS_VARIABLE, str(tmp_path / "results"))
    assert book.results_dir() == tmp_path / "results" and book.load_sweep("07_x")["seeds"] == [0, 1]


def test_a_book_without_config_or_toc(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_a.ipynb").write_text("{}")
    assert book.toc_files(tmp_path) is None and book.in_book("01_a", tmp_path)
    with pytest.raises(ValueError):
        book.owner_repo({"repository": {"url": "https://gitlab.com/a/b"}})


#: What the chapters, tools and tests have used as rindoku.claims.<name> before the split.
USED_FROM_CLAIMS = [
    "Chapter", "Claim", "start", "hide_index", "format_value", "describe", "holds", "margin",
    "OPS", "KINDS", "EXPECTS", "VERDICT_MARKS", "outcome_as_expected", "verdict_label",
    "count_verdicts", "find_repo_root", "results_dir", "RESULTS_VARIABLE", "sweeps_dir",
    "load_sweep", "summarise_sweep", "sweep_problems", "sweep_frame", "sweep_table",
    "sweep_counts", "sweep_verdict", "FLAGGED_MIN_SEEDS",
]


def test_every_name_of_the_old_claims_module_still_works():
    for name in USED_FROM_CLAIMS:
        assert getattr(claims, name) is not None, name
    assert claims.start is env.start and claims.sweep_table is sweeps.sweep_table
    assert claims.load_sweep is book.load_sweep
    from rindoku.claims import summarise_sweep, sweep_table  # noqa: F401 (from-imports too)

    assert set(USED_FROM_CLAIMS) <= set(dir(claims))
    with pytest.raises(AttributeError):
        claims.no_such_name  # noqa: B018
