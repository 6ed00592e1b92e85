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


# ------------------------------------------------------------------------- seed sweeps
def sweeps_dir() -> Path:
    """Where seed-sweep summaries are looked for first: ``<results_dir()>/sweeps``
    (:func:`load_sweep` falls back to the committed ``<repo>/results/sweeps``)."""
    return results_dir() / "sweeps"


def sweep_verdict(kind: str | None, n_hold: int, n: int) -> str:
    """The verdict a sweep gives a claim from how many of its ``n`` seeds it held on.

    >>> sweep_verdict("paper", 6, 6), sweep_verdict("paper", 0, 6), sweep_verdict("paper", 2, 6)
    ('reproduced', 'not reproduced', 'partly')
    >>> sweep_verdict("control", 5, 6)
    'fails on some seed'
    """
    if kind == "paper":
        return "reproduced" if n_hold == n else ("not reproduced" if n_hold == 0 else "partly")
    return "holds on every seed" if n_hold == n else "fails on some seed"


def summarise_sweep(runs: dict[int, dict], failed: dict[int, str] | None = None) -> dict:
    """Summarise one chapter's results files from several seeds.

    ``runs`` maps a seed to that run's results dict (as written by :meth:`Chapter.save`);
    ``failed`` maps seeds whose run did not produce results to why. Per claim it gives the
    value, margin and outcome per seed, how many seeds it held on, the verdict across seeds
    (:func:`sweep_verdict`), whether that is what the chapter reports (``as_expected``), the
    min/max of the value, the thinnest margin and the seed-to-seed spread (max − min).

    The thinnest margin is measured towards the other outcome: for a claim expected to hold
    (a control, a "reproduced" paper claim) the smallest margin by which it holds, for a "not
    reproduced" claim the smallest distance by which it fails. A claim is *flagged* (⚑) when
    that is thinner than its spread: another seed could plausibly cross the threshold.

    >>> run = lambda v: {"chapter": "demo", "claims": [{"name": "c", "ours": v, "op": ">",
    ...     "threshold": 0.5, "test": "> 0.5", "paper": None, "holds": v > 0.5,
    ...     "kind": "paper", "expect": "reproduced"}]}
    >>> s = summarise_sweep({0: run(0.9), 1: run(0.8)})
    >>> c = s["claims"][0]
    >>> c["min"], c["max"], round(c["thinnest_margin"], 3), c["thinnest_seed"], c["flagged"]
    (0.8, 0.9, 0.3, 1, False)
    >>> c["verdict"], c["n_hold"], c["as_expected"]
    ('reproduced', 2, True)
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
        kind, expect = first.get("kind"), first.get("expect")
        sign = -1 if (kind == "paper" and expect == "not reproduced") else 1
        values = {s: (c or {}).get("ours") for s, c in per.items()}
        margins = {}
        for s, c in per.items():
            if c is None or c.get("ours") is None or c.get("op") is None:
                margins[s] = None
            else:
                margins[s] = margin(c["ours"], c["op"], c["threshold"])
        verdicts = {s: (bool(c["holds"]) if c is not None else False) for s, c in per.items()}
        nulls = {s: (c or {}).get("null") for s, c in per.items()}
        nums = [v for v in values.values() if isinstance(v, (int, float))]
        known = {s: sign * m for s, m in margins.items() if m is not None}
        thinnest_seed = min(known, key=known.get) if known else None
        spread = (max(nums) - min(nums)) if nums else None
        thinnest = known[thinnest_seed] if known else None
        n_hold = sum(verdicts.values())
        verdict = sweep_verdict(kind, n_hold, len(seeds))
        if kind == "paper" and expect == "partly":
            as_expected = verdict == "partly"
        elif kind == "paper":
            as_expected = verdict == expect
        else:
            as_expected = n_hold == len(seeds)
        claims_out.append({
            "name": name, "kind": kind, "expect": expect, "paper": first.get("paper"),
            "op": first.get("op"), "threshold": first.get("threshold"),
            "test": first.get("test", ""),
            "values": {str(s): values[s] for s in seeds},
            "nulls": {str(s): nulls[s] for s in seeds} if any(
                v is not None for v in nulls.values()) else None,
            "null_holds": {str(s): (per[s] or {}).get("null_holds") for s in seeds},
            "margins": {str(s): margins[s] for s in seeds},
            "holds": {str(s): verdicts[s] for s in seeds},
            "n_hold": n_hold, "verdict": verdict, "as_expected": as_expected and not failed,
            "min": min(nums) if nums else None, "max": max(nums) if nums else None,
            "spread": spread, "thinnest_margin": thinnest, "thinnest_seed": thinnest_seed,
            "all_hold": all(verdicts.values()) and not failed,
            "flagged": bool(expect != "partly" and thinnest is not None and spread is not None
                            and thinnest < spread),
        })
    return {
        "chapter": chapter,
        "seeds": seeds + sorted(failed),
        "failed_runs": {str(s): why for s, why in sorted(failed.items())},
        "runtime_s": {str(s): runs[s].get("runtime_s") for s in seeds},
        "claims": claims_out,
        "all_hold": all(c["all_hold"] for c in claims_out) and not failed,
        "as_expected": all(c["as_expected"] for c in claims_out) and not failed,
        "flagged": [c["name"] for c in claims_out if c["flagged"]],
    }


#: A flagged claim (margin thinner than the seed-to-seed spread) needs this many seeds.
FLAGGED_MIN_SEEDS = 10


def sweep_problems(summary: dict) -> list[str]:
    """What makes a sweep disagree with the verdicts its chapter reports (empty if nothing).

    * a control or a "reproduced" claim that fails on some seed, a "not reproduced" claim that
      holds on some seed;
    * a "partly" claim that holds on every seed or on none (then it is one of the other two);
    * a paper claim whose null passes its test on some seed;
    * a classified claim flagged ⚑ (thinnest margin under the seed-to-seed spread) that was
      swept over fewer than ten seeds: strengthen the experiment, sweep seeds 0–9, or call it
      "partly".

    >>> c = {"name": "c", "kind": "paper", "expect": "partly", "n_hold": 6, "verdict":
    ...      "reproduced", "as_expected": False, "flagged": False, "null_holds": {}}
    >>> sweep_problems({"seeds": list(range(6)), "failed_runs": {}, "claims": [c]})
    ["c: declared partly, but the sweep says reproduced (6 of 6 seeds); it is not 'partly'"]
    """
    out = [f"seed {s}: the run did not finish ({why})"
           for s, why in (summary.get("failed_runs") or {}).items()]
    n = len(summary["seeds"]) - len(summary.get("failed_runs") or {})
    for c in summary["claims"]:
        kind, expect = c.get("kind"), c.get("expect")
        if not c.get("as_expected", c.get("all_hold")):
            declared = expect if kind == "paper" else (kind or "unclassified claim")
            extra = "; it is not 'partly'" if expect == "partly" else ""
            out.append(f"{c['name']}: declared {declared}, but the sweep says "
                       f"{c.get('verdict')} ({c.get('n_hold')} of {n} seeds){extra}")
        if kind == "paper" and any((c.get("null_holds") or {}).values()):
            seeds = [s for s, v in c["null_holds"].items() if v]
            out.append(f"{c['name']}: the null passes the test on seeds {', '.join(seeds)}")
        if kind in KINDS and c.get("flagged") and n < FLAGGED_MIN_SEEDS:
            out.append(f"{c['name']}: ⚑ thinnest margin {format_value(c['thinnest_margin'])} "
                       f"under the seed-to-seed spread {format_value(c['spread'])} on only "
                       f"{n} seeds: strengthen it, sweep seeds 0–9, or declare it partly")
    return out


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
    """The sweep summary as a table: one row a claim, one column a seed (✗ where the test
    fails), then the verdict across seeds, the thinnest margin and a flag (⚑ when the margin
    is thinner than the spread)."""
    import pandas as pd

    seeds = [str(s) for s in summary["seeds"] if str(s) not in summary.get("failed_runs", {})]
    rows = []
    for c in summary["claims"]:
        row = {"claim": c["name"], "kind": c.get("kind") or "—", "test": c.get("test", "")}
        for s in seeds:
            mark = "" if c["holds"].get(s) else " ✗"
            row[f"seed {s}"] = format_value(c["values"].get(s), digits) + mark
        n_hold = c.get("n_hold", sum(bool(v) for v in c["holds"].values()))
        verdict = c.get("verdict") or ("holds" if c.get("all_hold") else "fails")
        if c.get("kind") == "paper":
            verdict = f"{VERDICT_MARKS.get(verdict, '')} {verdict}".strip()
        row["verdict"] = f"{verdict} ({n_hold}/{len(seeds)})"
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
    failed = summary.get("failed_runs") or {}
    print(f"Seeds {', '.join(str(s) for s in summary['seeds'])}: {sweep_counts(summary)}"
          + (f"; runs that failed: {', '.join(failed)}" if failed else "")
          + (f"; flagged (margin thinner than the seed-to-seed spread): "
             f"{len(summary['flagged'])}" if summary.get("flagged") else "") + ".")
    return hide_index(sweep_frame(summary))


def sweep_counts(summary: dict) -> str:
    """The verdicts of a sweep in one line.

    >>> sweep_counts({"seeds": [0, 1], "claims": [
    ...     {"kind": "paper", "verdict": "partly", "n_hold": 1},
    ...     {"kind": "control", "verdict": "holds on every seed", "all_hold": True}]})
    'paper claims: 0 reproduced, 1 partly, 0 not reproduced; controls: 1 of 1 hold on every seed'
    """
    cs = summary["claims"]
    paper = [c for c in cs if c.get("kind") == "paper"]
    controls = [c for c in cs if c.get("kind") == "control"]
    other = [c for c in cs if c.get("kind") not in KINDS]
    n = {e: sum(1 for c in paper if c.get("verdict") == e) for e in EXPECTS}
    text = (f"paper claims: {n['reproduced']} reproduced, {n['partly']} partly, "
            f"{n['not reproduced']} not reproduced; controls: "
            f"{sum(1 for c in controls if c.get('all_hold'))} of {len(controls)} hold on "
            "every seed")
    if other:
        text += (f"; not yet classified: {sum(1 for c in other if c.get('all_hold'))} of "
                 f"{len(other)} hold on every seed")
    return text


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
