"""Claims: what a chapter tests, the "paper vs ours" table, and the results file.

A chapter starts a run, records each claim it tests as it goes, and ends with
:meth:`Chapter.finish`, whose assertion lists every claim that does not hold::

    run = rindoku.start("07_reversal_curse")
    run.claim("D2P, same direction", paper=0.967, ours=acc, holds=acc >= 0.9,
              test="exact match >= 0.90")
    run.finish()        # writes results/07_reversal_curse.json, then asserts

The results file has at least ``chapter``, ``seed``, ``runtime_s`` and ``claims`` (each with
``name``, ``paper``, ``ours``, ``holds``, ``test``); the book's "results at a glance" page is
built from these files.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rindoku import env

RESULTS_VARIABLE = "RINDOKU_RESULTS"


def _plain(value: Any) -> Any:
    """Turn NumPy/torch scalars into plain Python numbers so they serialise as JSON."""
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, RuntimeError):
            pass
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def format_value(value: Any, digits: int = 3) -> str:
    """Format a paper/ours value for a table: floats to ``digits`` significant places.

    >>> format_value(0.96666), format_value(None), format_value("~4x")
    ('0.967', '—', '~4x')
    """
    value = _plain(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


@dataclass
class Claim:
    """One claim a chapter tests: the paper's statement and number, ours, and the verdict."""

    name: str
    paper: Any
    ours: Any
    holds: bool
    test: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "paper": _plain(self.paper), "ours": _plain(self.ours),
                "holds": bool(self.holds), "test": self.test}


def find_repo_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` that holds the book (``_config.yml`` and
    ``notebooks/``), or None (e.g. in Colab, where only the notebook is present)."""
    here = Path(start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / "_config.yml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return None


def results_dir() -> Path:
    """Where results files go: ``RINDOKU_RESULTS`` if set, else ``<repo>/results``, else
    ``./results``."""
    if os.environ.get(RESULTS_VARIABLE):
        return Path(os.environ[RESULTS_VARIABLE])
    root = find_repo_root()
    return (root / "results") if root else Path("results")


@dataclass
class Chapter:
    """A chapter's run: its seed, its timer and the claims it tests."""

    name: str
    seed: int
    claims: list[Claim] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.started

    def claim(self, name: str, *, paper: Any, ours: Any, holds: bool, test: str = "") -> Claim:
        """Record a claim; ``holds`` must be a boolean computed from the data.

        >>> run = Chapter("demo", seed=0)
        >>> run.claim("gap", paper=0.5, ours=0.4, holds=0.4 > 0.3, test="ours > 0.3").holds
        True
        """
        holds = _plain(holds)
        if not isinstance(holds, bool):
            raise TypeError(f"claim {name!r}: holds must be a bool, got {holds!r}")
        if any(c.name == name for c in self.claims):
            raise ValueError(f"claim {name!r} recorded twice")
        record = Claim(name, paper, ours, holds, test)
        self.claims.append(record)
        return record

    def table(self):
        """The "paper vs ours" table as a pandas DataFrame (one row a claim)."""
        import pandas as pd

        rows = [{"claim": c.name, "paper": format_value(c.paper), "ours": format_value(c.ours),
                 "test": c.test, "holds": "✓" if c.holds else "✗"} for c in self.claims]
        return pd.DataFrame(rows, columns=["claim", "paper", "ours", "test", "holds"])

    def to_json(self) -> dict:
        return {
            "chapter": self.name,
            "seed": self.seed,
            "runtime_s": round(self.elapsed(), 1),
            "threads": _threads(),
            "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "claims": [c.to_json() for c in self.claims],
        }

    def save(self, folder: Path | None = None) -> Path:
        """Write ``<folder>/<chapter>.json`` (default folder: :func:`results_dir`)."""
        folder = Path(folder) if folder else results_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.json"
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        return path

    def failures(self) -> list[Claim]:
        return [c for c in self.claims if not c.holds]

    def finish(self, folder: Path | None = None, show: bool = True) -> None:
        """Save the results file, show the table, and fail if any claim does not hold.

        The assertion message lists every failing claim with the paper's and our value.
        Returns nothing, so that it can end a notebook cell without an extra output.
        """
        if not self.claims:
            raise AssertionError(f"{self.name}: no claims were recorded")
        path = self.save(folder)
        if show:
            _display(self.table())
            root = find_repo_root()
            shown = path.resolve().relative_to(root) if root and path.resolve().is_relative_to(root) else path
            print(f"run time {self.elapsed():.0f} s, seed {self.seed}; results written to {shown}")
        failed = self.failures()
        if failed:
            lines = [f"- {c.name}: paper {format_value(c.paper)}, ours {format_value(c.ours)}"
                     f" (test: {c.test})" for c in failed]
            raise AssertionError(f"{len(failed)} of {len(self.claims)} claims do not hold "
                                 f"(seed {self.seed}):\n" + "\n".join(lines))


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def _display(obj) -> None:
    try:
        from IPython.display import display

        display(obj)
    except ImportError:  # pragma: no cover
        print(obj)


def start(name: str, default_seed: int = 0, threads: int | None = None, quiet: bool = False) -> Chapter:
    """Start a chapter's run: resolve the seed (``RINDOKU_SEED`` overrides ``default_seed``),
    seed everything, fix the thread count, print the banner, start the timer.

    >>> run = start("demo", default_seed=1, quiet=True)
    >>> run.seed == int(os.environ.get("RINDOKU_SEED", 1))
    True
    """
    import torch

    seed = env.resolve_seed(default_seed)
    torch.set_num_threads(threads or env.resolve_threads())
    env.seed_everything(seed)
    if not quiet:
        print(env.banner(seed))
    return Chapter(name=name, seed=seed)
