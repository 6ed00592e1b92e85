"""Claims: what a chapter tests, the "paper vs ours" table, and the results file.

A chapter starts a run, records each claim it tests as it goes, and ends with
:meth:`Chapter.finish`, whose assertion lists every claim whose outcome is not the one the
chapter reports::

    run = rindoku.start("07_reversal_curse")
    run.claim("D2P, same direction", kind="paper", expect="reproduced",
              paper=0.967, ours=acc, op=">=", threshold=0.9)
    run.claim("reversed beats a shuffled-name null", kind="paper", expect="not reproduced",
              paper="no gain", ours=rev, null=rev_null, op=">=", threshold=0.05)
    run.claim("the model learned the facts", kind="control",
              paper=None, ours=train_acc, op=">=", threshold=0.95)
    run.finish()        # writes results/07_reversal_curse.json, then asserts

A claim is a measured number (``ours``), a comparison (``op``) and a threshold, so that the
outcome, the margin by which it holds and the printed test all come from the same fields; the
seed sweep (``tools/sweep.py``) re-checks the same fields across seeds.

Two kinds of claim:

* ``kind="paper"``: a statement the paper makes, tested as the paper states it. It declares
  the verdict the chapter reports, ``expect=``:

  - ``"reproduced"``: the test must hold;
  - ``"not reproduced"``: the paper's statement must *fail* the test (like pytest's strict
    xfail: the run fails if it unexpectedly holds, so the verdict stays true as code changes);
  - ``"partly"``: the outcome differs across seeds; a single run does not assert it, and the
    committed sweep must show both outcomes (:func:`sweep_problems`).

  ``null=`` is the value of the same measurement under the null condition (the baseline, the
  method switched off, a coin-flip verifier). A paper claim whose null passes the same test is
  refused by :meth:`Chapter.finish`: such a test does not separate the method from its null.
* ``kind="control"``: a check of our own experiment (the dial turned, the detector can fire,
  our code equals the library's, something true by construction). A control must hold.

The results file has at least ``chapter``, ``seed``, ``runtime_s`` and ``claims`` (each with
``name``, ``kind``, ``expect``, ``verdict``, ``paper``, ``ours``, ``null``, ``null_holds``,
``op``, ``threshold``, ``test``, ``margin``, ``holds``); the book's "results at a glance" page
is built from these files.

This module holds the claims and their display; the seed sweeps are in :mod:`rindoku.sweeps`,
``start()`` is in :mod:`rindoku.env` and the results files' places in :mod:`rindoku.book`.
Every name the chapters and tools have used from here (``rindoku.claims.sweep_table``,
``rindoku.claims.start``, ...) still works.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rindoku.book import RESULTS_VARIABLE, find_repo_root, results_dir  # noqa: F401 (API)
from rindoku.formatting import format_value  # noqa: F401 (API)


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


#: The kinds of claim: a statement of the paper, or a check of our own experiment.
KINDS = ("paper", "control")
#: The verdicts a chapter can report for a paper claim.
EXPECTS = ("reproduced", "partly", "not reproduced")


@dataclass
class Claim:
    """One claim a chapter tests: the paper's statement and number, our measured value, the
    comparison and threshold that make the test, the outcome computed from them, and what
    the chapter reports (``kind``, ``expect``).

    ``kind`` is None for a claim not yet classified (a chapter still on the older API)."""

    name: str
    paper: Any
    ours: Any
    op: str | None
    threshold: Any
    note: str = ""
    test: str = ""
    holds: bool = False
    margin: float | None = None
    kind: str | None = None
    expect: str | None = None
    null: Any = None
    null_holds: bool | None = None

    @property
    def verdict(self) -> str | None:
        """This run's verdict on a paper claim (``reproduced`` / ``not reproduced``), whether a
        control ``holds``/``fails``; None for an unclassified claim."""
        if self.kind == "paper":
            return "reproduced" if self.holds else "not reproduced"
        if self.kind == "control":
            return "holds" if self.holds else "fails"
        return None

    @property
    def as_expected(self) -> bool:
        """Whether this run's outcome is the one the chapter reports (a "partly" claim is
        judged by the sweep, not by one run)."""
        return outcome_as_expected(self.kind, self.expect, self.holds)

    def problems(self) -> list[str]:
        """Why this claim makes :meth:`Chapter.finish` fail (empty when it does not)."""
        out = []
        if not self.as_expected:
            if self.kind == "paper" and self.expect == "not reproduced":
                out.append(f"{self.name}: declared not reproduced, but it holds "
                           f"(ours {format_value(self.ours)}, test {self.test}); "
                           "re-examine the claim and declare what the data give")
            else:
                what = {"paper": "declared reproduced, but", "control": "control:"}.get(
                    self.kind, "")
                out.append(f"{self.name}: {what} does not hold (paper "
                           f"{format_value(self.paper)}, ours {format_value(self.ours)}, "
                           f"test {self.test})".replace(":  ", ": "))
        if self.kind == "paper" and self.null_holds:
            out.append(f"{self.name}: the null ({format_value(self.null)}) passes the same "
                       f"test ({self.test}), so the test does not separate the method from "
                       "its null")
        return out

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "expect": self.expect,
                "verdict": self.verdict, "paper": _plain(self.paper),
                "ours": _plain(self.ours), "null": _plain(self.null),
                "null_holds": self.null_holds, "op": self.op,
                "threshold": _plain(self.threshold), "test": self.test,
                "margin": _plain(self.margin), "holds": bool(self.holds), "note": self.note}


def outcome_as_expected(kind: str | None, expect: str | None, held: bool) -> bool:
    """Whether a claim's outcome on one run is what the chapter reports.

    >>> outcome_as_expected("paper", "not reproduced", False)
    True
    >>> outcome_as_expected("paper", "reproduced", False), outcome_as_expected("control", None, True)
    (False, True)
    >>> outcome_as_expected("paper", "partly", False)
    True
    """
    if kind == "paper" and expect == "not reproduced":
        return not held
    if kind == "paper" and expect == "partly":
        return True
    return bool(held)


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
              kind: str | None = None, expect: str | None = None, null: Any = None,
              note: str = "") -> Claim:
        """Record a claim: ``ours`` (a measured number) ``op`` ``threshold``.

        ``op`` is one of ``>``, ``>=``, ``<``, ``<=``, ``in`` (``threshold=(low, high)``, a
        closed band) or ``out`` (``ours <= low or ours >= high``). ``paper`` is the paper's
        number or a short plain-text statement; ``note`` an optional short qualification.

        ``kind`` is ``"paper"`` (then ``expect`` is one of :data:`EXPECTS`) or ``"control"``;
        ``null`` is the same measurement under the null condition (see the module's text).

        >>> run = Chapter("demo", seed=0)
        >>> c = run.claim("gap", kind="paper", expect="reproduced", paper=0.5, ours=0.4,
        ...               null=0.01, op=">", threshold=0.3)
        >>> c.holds, c.verdict, c.null_holds, c.test, round(c.margin, 3)
        (True, 'reproduced', False, '> 0.3', 0.1)
        >>> run.claim("bigger", kind="paper", expect="not reproduced", paper="≫ 1",
        ...           ours=1.1, op=">=", threshold=2).verdict
        'not reproduced'
        """
        if any(c.name == name for c in self.claims):
            raise ValueError(f"claim {name!r} recorded twice")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"claim {name!r}: kind must be one of {KINDS}, got {kind!r}")
        if kind == "paper" and expect not in EXPECTS:
            raise ValueError(f"claim {name!r}: a paper claim declares expect= one of "
                             f"{EXPECTS}, got {expect!r}")
        if kind != "paper" and expect is not None:
            raise ValueError(f"claim {name!r}: only a paper claim has expect= (a control "
                             "must hold)")
        threshold = _check_threshold(op, threshold)
        value, null_value = _plain(ours), _plain(null)
        for what, v in (("ours", value), ("null", null_value)):
            if isinstance(v, bool) or not isinstance(v, (int, float, type(None))):
                raise TypeError(f"claim {name!r}: {what} must be a number, got {v!r}")
        ok = holds(value, op, threshold)
        m = None if value is None else margin(value, op, threshold)
        record = Claim(name, paper, value, op, threshold, note=note,
                       test=describe(op, threshold), holds=ok, margin=m, kind=kind,
                       expect=expect, null=null_value,
                       null_holds=None if null_value is None else holds(null_value, op,
                                                                        threshold))
        self.claims.append(record)
        return record

    def table(self):
        """The claims table as a pandas DataFrame: paper claims first, then controls, each
        with the paper's number, ours (and the null's), the test and the verdict."""
        import pandas as pd

        order = {"paper": 0, "control": 1, None: 2}
        rows = []
        for c in sorted(self.claims, key=lambda c: order.get(c.kind, 2)):
            ours = format_value(c.ours)
            if c.null is not None:
                ours += f" (null {format_value(c.null)})"
            rows.append({"kind": c.kind or "not yet classified",
                         "claim": c.name + (f" ({c.note})" if c.note else ""),
                         "paper": format_value(c.paper), "ours": ours, "test": c.test,
                         "verdict": verdict_label(c.kind, c.expect, c.holds)})
        return pd.DataFrame(rows, columns=["kind", "claim", "paper", "ours", "test",
                                           "verdict"])

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
        """The claims whose outcome is not the one the chapter reports, or whose null
        passes their test."""
        return [c for c in self.claims if c.problems()]

    def finish(self, folder: Path | None = None, show: bool = True) -> None:
        """Save the results file, show the table, and fail if any claim's outcome is not the
        one declared: a control or a "reproduced" paper claim that does not hold, a "not
        reproduced" paper claim that holds, or a paper claim whose null passes its test.

        The assertion message lists every such claim. Returns nothing, so that it can end a
        notebook cell without an extra output.
        """
        if not self.claims:
            raise AssertionError(f"{self.name}: no claims were recorded")
        path = self.save(folder)
        if show:
            _display(hide_index(self.table()))
            root = find_repo_root()
            shown = path.resolve().relative_to(root) if root and path.resolve().is_relative_to(root) else path
            print(f"{count_verdicts(self.claims)}\n"
                  f"run time {self.elapsed():.0f} s, seed {self.seed}; results written to {shown}")
        problems = [p for c in self.claims for p in c.problems()]
        if problems:
            raise AssertionError(f"{len(self.failures())} of {len(self.claims)} claims are not "
                                 f"as the chapter reports them (seed {self.seed}):\n"
                                 + "\n".join("- " + p for p in problems))


#: How each verdict reads in a table: a mark a reader sees at a glance, then the words.
VERDICT_MARKS = {"reproduced": "✓", "partly": "◐", "not reproduced": "✗"}


def verdict_label(kind: str | None, expect: str | None, held: bool) -> str:
    """A claim's verdict cell for one run.

    >>> verdict_label("paper", "reproduced", True), verdict_label("paper", "not reproduced", False)
    ('✓ reproduced', '✗ not reproduced')
    >>> verdict_label("paper", "partly", False), verdict_label("control", None, True)
    ('◐ partly (fails on this seed)', 'control holds')
    >>> verdict_label("paper", "reproduced", False)
    '‼ declared reproduced, fails'
    """
    if kind == "paper":
        if expect == "partly":
            return f"◐ partly ({'holds' if held else 'fails'} on this seed)"
        if outcome_as_expected(kind, expect, held):
            return f"{VERDICT_MARKS[expect]} {expect}"
        return f"‼ declared {expect}, {'holds' if held else 'fails'}"
    if kind == "control":
        return "control holds" if held else "‼ control fails"
    return ("holds" if held else "fails") + " (not yet classified)"


def count_verdicts(claims_: list) -> str:
    """One line: how many paper claims reproduced, partly, not reproduced, controls holding.

    Takes :class:`Claim` objects or their JSON dicts.

    >>> count_verdicts([{"kind": "paper", "expect": "reproduced", "holds": True},
    ...                 {"kind": "paper", "expect": "not reproduced", "holds": False},
    ...                 {"kind": "control", "holds": True}])
    'paper claims: 1 reproduced, 0 partly, 1 not reproduced; controls: 1 of 1 hold'
    """
    get = (lambda c, k: c.get(k)) if claims_ and isinstance(claims_[0], dict) else getattr
    paper = [c for c in claims_ if get(c, "kind") == "paper"]
    controls = [c for c in claims_ if get(c, "kind") == "control"]
    other = [c for c in claims_ if get(c, "kind") not in KINDS]
    counts = {e: sum(1 for c in paper if get(c, "expect") == e) for e in EXPECTS}
    text = (f"paper claims: {counts['reproduced']} reproduced, {counts['partly']} partly, "
            f"{counts['not reproduced']} not reproduced; controls: "
            f"{sum(1 for c in controls if get(c, 'holds'))} of {len(controls)} hold")
    if other:
        text += f"; not yet classified: {len(other)}"
    return text


def hide_index(df):
    """A pandas table as shown in the book: no index column (plain DataFrame if no jinja2)."""
    try:
        return df.style.hide(axis="index")
    except ImportError:  # pragma: no cover - Styler needs jinja2, which jupyter brings
        return df


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def _display(obj) -> None:
    try:
        from IPython.display import display

        display(obj)
    except ImportError:  # pragma: no cover
        print(obj)


# Names that moved to their own modules, still reachable as rindoku.claims.<name>.
_MOVED = {
    "start": "rindoku.env",
    "sweeps_dir": "rindoku.book", "load_sweep": "rindoku.book",
    **{name: "rindoku.sweeps" for name in (
        "FLAGGED_MIN_SEEDS", "summarise_sweep", "sweep_counts", "sweep_frame",
        "sweep_problems", "sweep_table", "sweep_verdict")},
}


def __getattr__(name: str):
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_MOVED])
