"""Claims: what a chapter tests, the "paper vs ours" table, and the results file.

A chapter starts a run, records each claim it tests as it goes, and ends with
:meth:`Chapter.finish`, whose assertion lists every claim that does not hold::

    run = rindoku.start("07_reversal_curse")
    run.claim("D2P, same direction", paper=0.967, ours=acc, op=">=", threshold=0.9)
    run.claim("ratio near one", paper=None, ours=r, op="in", threshold=(0.8, 1.25))
    run.finish()        # writes results/07_reversal_curse.json, then asserts

A claim is a measured number (``ours``), a comparison (``op``) and a threshold, so that the
verdict, the margin by which it holds and the printed test all come from the same fields; the
seed sweep (``tools/sweep.py``) re-checks the same fields across seeds.

The results file has at least ``chapter``, ``seed``, ``runtime_s`` and ``claims`` (each with
``name``, ``paper``, ``ours``, ``op``, ``threshold``, ``test``, ``margin``, ``holds``); the book's
"results at a glance" page is built from these files.
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


#: The comparisons a claim can make, and how each reads in a table.
OPS = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "in": "in", "out": "outside"}


def _check_threshold(op: str, threshold: Any) -> Any:
    if op not in OPS:
        raise ValueError(f"op must be one of {sorted(OPS)}, got {op!r}")
    if op in ("in", "out"):
        if not (isinstance(threshold, (list, tuple)) and len(threshold) == 2):
            raise ValueError(f"op {op!r} needs threshold=(low, high), got {threshold!r}")
        lo, hi = (_plain(t) for t in threshold)
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (lo, hi)):
            raise TypeError(f"threshold bounds must be numbers, got {threshold!r}")
        if lo > hi:
            raise ValueError(f"threshold band ({lo}, {hi}) has low > high")
        return [lo, hi]
    t = _plain(threshold)
    if not isinstance(t, (int, float)) or isinstance(t, bool):
        raise TypeError(f"threshold must be a number for op {op!r}, got {threshold!r}")
    return t


def margin(ours: float, op: str, threshold: Any) -> float:
    """How far ``ours`` is inside (positive) or outside (negative) the claim's region.

    For ``>``/``>=`` it is ``ours - threshold``, for ``<``/``<=`` ``threshold - ours``, for
    ``in`` the distance to the nearer bound of the band, for ``out`` the distance beyond the
    nearer bound (negative inside the band).

    >>> margin(0.7, ">", 0.5), margin(0.2, "<=", 0.25), margin(1.0, "in", (0.8, 1.25))
    (0.2, 0.05, 0.2)
    >>> margin(0.5, "out", (0.15, 0.85)) < 0 < margin(0.9, "out", (0.15, 0.85))
    True
    """
    ours = float(ours)
    if op in (">", ">="):
        value = ours - threshold
    elif op in ("<", "<="):
        value = threshold - ours
    elif op == "in":
        value = min(ours - threshold[0], threshold[1] - ours)
    elif op == "out":
        value = max(threshold[0] - ours, ours - threshold[1])
    else:
        raise ValueError(f"unknown op {op!r}")
    return round(value, 12)


def holds(ours: float, op: str, threshold: Any) -> bool:
    """Whether ``ours op threshold`` is true (bands are closed; ``out`` holds on the bounds).

    >>> holds(0.5, ">", 0.5), holds(0.5, ">=", 0.5), holds(0.15, "out", (0.15, 0.85))
    (False, True, True)
    """
    if ours is None or (isinstance(ours, float) and math.isnan(ours)):
        return False
    m = margin(ours, op, threshold)
    return m > 0 if op in (">", "<") else m >= 0


def describe(op: str, threshold: Any, digits: int = 3) -> str:
    """The test as a reader sees it in a table.

    >>> describe(">=", 0.9), describe("in", (0.6, 1.05)), describe("out", (0.15, 0.85))
    ('≥ 0.9', 'in [0.6, 1.05]', '≤ 0.15 or ≥ 0.85')
    """
    if op == "in":
        return f"in [{format_value(threshold[0], digits)}, {format_value(threshold[1], digits)}]"
    if op == "out":
        return f"≤ {format_value(threshold[0], digits)} or ≥ {format_value(threshold[1], digits)}"
    return f"{OPS[op]} {format_value(threshold, digits)}"


@dataclass
class Claim:
    """One claim a chapter tests: the paper's statement and number, our measured value, the
    comparison and threshold that make the test, and the verdict computed from them."""

    name: str
    paper: Any
    ours: Any
    op: str | None
    threshold: Any
    note: str = ""
    test: str = ""
    holds: bool = False
    margin: float | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "paper": _plain(self.paper), "ours": _plain(self.ours),
                "op": self.op, "threshold": _plain(self.threshold), "test": self.test,
                "margin": _plain(self.margin), "holds": bool(self.holds), "note": self.note}


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

    def claim(self, name: str, *, paper: Any, ours: Any, op: str, threshold: Any,
              note: str = "") -> Claim:
        """Record a claim: ``ours`` (a measured number) ``op`` ``threshold``.

        ``op`` is one of ``>``, ``>=``, ``<``, ``<=``, ``in`` (``threshold=(low, high)``, a
        closed band) or ``out`` (``ours <= low or ours >= high``). ``paper`` is the paper's
        number or a short plain-text statement; ``note`` an optional short qualification.

        >>> run = Chapter("demo", seed=0)
        >>> c = run.claim("gap", paper=0.5, ours=0.4, op=">", threshold=0.3)
        >>> c.holds, c.test, round(c.margin, 3)
        (True, '> 0.3', 0.1)
        """
        if any(c.name == name for c in self.claims):
            raise ValueError(f"claim {name!r} recorded twice")
        threshold = _check_threshold(op, threshold)
        value = _plain(ours)
        if isinstance(value, bool) or not isinstance(value, (int, float, type(None))):
            raise TypeError(f"claim {name!r}: ours must be a number, got {ours!r}")
        ok = holds(value, op, threshold)
        m = None if value is None else margin(value, op, threshold)
        record = Claim(name, paper, value, op, threshold, note=note,
                       test=describe(op, threshold), holds=ok, margin=m)
        self.claims.append(record)
        return record

    def table(self):
        """The "paper vs ours" table as a pandas DataFrame (one row a claim)."""
        import pandas as pd

        rows = [{"claim": c.name + (f" ({c.note})" if c.note else ""),
                 "paper": format_value(c.paper), "ours": format_value(c.ours),
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
            _display(hide_index(self.table()))
            root = find_repo_root()
            shown = path.resolve().relative_to(root) if root and path.resolve().is_relative_to(root) else path
            print(f"run time {self.elapsed():.0f} s, seed {self.seed}; results written to {shown}")
        failed = self.failures()
        if failed:
            lines = [f"- {c.name}: paper {format_value(c.paper)}, ours {format_value(c.ours)}"
                     f" (test: {c.test})" for c in failed]
            raise AssertionError(f"{len(failed)} of {len(self.claims)} claims do not hold "
                                 f"(seed {self.seed}):\n" + "\n".join(lines))


def hide_index(df):
    """A pandas table as shown in the book: no index column (plain DataFrame if no jinja2)."""
    try:
        return df.style.hide(axis="index")
    except ImportError:  # pragma: no cover - Styler needs jinja2, which jupyter brings
        return df


# ------------------------------------------------------------------------- seed sweeps
def sweeps_dir() -> Path:
    """Where seed-sweep summaries are looked for first: ``<results_dir()>/sweeps``
    (:func:`load_sweep` falls back to the committed ``<repo>/results/sweeps``)."""
    return results_dir() / "sweeps"


def summarise_sweep(runs: dict[int, dict], failed: dict[int, str] | None = None) -> dict:
    """Summarise one chapter's results files from several seeds.

    ``runs`` maps a seed to that run's results dict (as written by :meth:`Chapter.save`);
    ``failed`` maps seeds whose run did not produce results to why. Per claim it gives the
    value, margin and verdict per seed, the min/max of the value, the thinnest margin and
    the seed-to-seed spread (max − min). A claim is *flagged* when its thinnest margin is
    thinner than its spread: another seed could plausibly cross the threshold.

    >>> run = lambda v: {"chapter": "demo", "claims": [{"name": "c", "ours": v, "op": ">",
    ...     "threshold": 0.5, "test": "> 0.5", "paper": None, "holds": v > 0.5}]}
    >>> s = summarise_sweep({0: run(0.9), 1: run(0.8)})
    >>> c = s["claims"][0]
    >>> c["min"], c["max"], round(c["thinnest_margin"], 3), c["thinnest_seed"], c["flagged"]
    (0.8, 0.9, 0.3, 1, False)
    """
    failed = dict(failed or {})
    seeds = sorted(runs)
    names: list[str] = []
    for seed in seeds:
        for c in runs[seed].get("claims", []):
            if c["name"] not in names:
                names.append(c["name"])
    chapter = next((runs[s].get("chapter") for s in seeds if runs[s].get("chapter")), None)
    claims_out = []
    for name in names:
        per = {s: next((c for c in runs[s].get("claims", []) if c["name"] == name), None)
               for s in seeds}
        first = next(c for c in per.values() if c is not None)
        values = {s: (c or {}).get("ours") for s, c in per.items()}
        margins = {}
        for s, c in per.items():
            if c is None or c.get("ours") is None or c.get("op") is None:
                margins[s] = None
            else:
                margins[s] = margin(c["ours"], c["op"], c["threshold"])
        verdicts = {s: (bool(c["holds"]) if c is not None else False) for s, c in per.items()}
        nums = [v for v in values.values() if isinstance(v, (int, float))]
        known = {s: m for s, m in margins.items() if m is not None}
        thinnest_seed = min(known, key=known.get) if known else None
        spread = (max(nums) - min(nums)) if nums else None
        thinnest = known[thinnest_seed] if known else None
        claims_out.append({
            "name": name, "paper": first.get("paper"), "op": first.get("op"),
            "threshold": first.get("threshold"), "test": first.get("test", ""),
            "values": {str(s): values[s] for s in seeds},
            "margins": {str(s): margins[s] for s in seeds},
            "holds": {str(s): verdicts[s] for s in seeds},
            "min": min(nums) if nums else None, "max": max(nums) if nums else None,
            "spread": spread, "thinnest_margin": thinnest, "thinnest_seed": thinnest_seed,
            "all_hold": all(verdicts.values()) and not failed,
            "flagged": bool(thinnest is not None and spread is not None and thinnest < spread),
        })
    return {
        "chapter": chapter,
        "seeds": seeds + sorted(failed),
        "failed_runs": {str(s): why for s, why in sorted(failed.items())},
        "runtime_s": {str(s): runs[s].get("runtime_s") for s in seeds},
        "claims": claims_out,
        "all_hold": all(c["all_hold"] for c in claims_out) and not failed,
        "flagged": [c["name"] for c in claims_out if c["flagged"]],
    }


def load_sweep(name: str, folder: Path | str | None = None) -> dict | None:
    """The committed sweep summary of chapter ``name`` (``results/sweeps/<name>.json``), or
    None when there is none (e.g. in Colab, where only the notebook is present)."""
    candidates = [Path(folder)] if folder else [sweeps_dir()]
    root = find_repo_root()
    if folder is None and root is not None:
        candidates.append(root / "results" / "sweeps")
    for d in candidates:
        path = d / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def sweep_frame(summary: dict, digits: int = 3):
    """The sweep summary as a table: one row a claim, one column a seed, then the range,
    the thinnest margin and a flag (⚑ when the margin is thinner than the spread)."""
    import pandas as pd

    seeds = [str(s) for s in summary["seeds"] if str(s) not in summary.get("failed_runs", {})]
    rows = []
    for c in summary["claims"]:
        row = {"claim": c["name"], "test": c.get("test", "")}
        for s in seeds:
            mark = "" if c["holds"].get(s) else " ✗"
            row[f"seed {s}"] = format_value(c["values"].get(s), digits) + mark
        row["thinnest margin"] = (f"{format_value(c['thinnest_margin'], 2)} (seed "
                                  f"{c['thinnest_seed']})" if c["thinnest_margin"] is not None
                                  else "—")
        row["⚑"] = "⚑" if c["flagged"] else ""
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_table(name: str, folder: Path | str | None = None):
    """Show chapter ``name``'s committed seed sweep (see :func:`summarise_sweep`), or say how
    to make one. Returns the styled table so a notebook cell displays it.

    A notebook quotes per-seed ranges from this table, never typed in."""
    summary = load_sweep(name, folder)
    if summary is None:
        print(f"No seed sweep for {name} here; run `make seeds NB=notebooks/{name}.ipynb` "
              "in a clone of the book's repository.")
        return None
    n_ok = sum(c["all_hold"] for c in summary["claims"])
    failed = summary.get("failed_runs") or {}
    print(f"Seeds {', '.join(str(s) for s in summary['seeds'])}: {n_ok} of "
          f"{len(summary['claims'])} claims hold on every seed"
          + (f"; runs that failed: {', '.join(failed)}" if failed else "")
          + (f"; flagged (margin thinner than the seed-to-seed spread): "
             f"{len(summary['flagged'])}" if summary.get("flagged") else "") + ".")
    return hide_index(sweep_frame(summary))


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

    from rindoku import env

    seed = env.resolve_seed(default_seed)
    torch.set_num_threads(threads or env.resolve_threads())
    env.seed_everything(seed)
    if not quiet:
        print(env.banner(seed))
    return Chapter(name=name, seed=seed)
