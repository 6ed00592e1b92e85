"""Seed sweeps: a chapter run once per seed (``tools/sweep.py``, ``make seeds``), summarised
claim by claim, checked, and shown as a table in the chapter.

:func:`summarise_sweep` turns the results files of the seeds into the summary committed as
``results/sweeps/NN_slug.json``; :func:`sweep_problems` is what the tests check (controls and
"reproduced" claims hold on every seed, "not reproduced" ones on none, "partly" ones on some
but not all, no null passes, a flagged claim has ten seeds); :func:`sweep_table` shows the
committed sweep in a chapter. Every name here is also importable from
:mod:`rindoku.claims`, as the chapters have always used it (``rindoku.claims.sweep_table``).
"""

from __future__ import annotations

from pathlib import Path

from rindoku.book import load_sweep, sweeps_dir
from rindoku.claims import EXPECTS, KINDS, VERDICT_MARKS, hide_index, margin
from rindoku.formatting import format_value

__all__ = ["FLAGGED_MIN_SEEDS", "load_sweep", "relabel_sweep", "summarise_sweep", "sweep_counts", "sweep_frame",
           "sweep_problems", "sweep_table", "sweep_verdict", "sweeps_dir"]


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


def relabel_sweep(summary: dict, result: dict) -> dict:
    """Carry the kinds and declared verdicts of a chapter's results file into its committed
    sweep, without running the seeds again.

    Only the labels change (``kind``, ``expect``, the claim's ``paper`` text and ``note``): the
    per-seed values, outcomes and nulls are the sweep's own. So that no measurement is carried
    over from a different experiment, it refuses unless the results file has the same claims
    in the same order, with the same test (op and threshold), and its value on its own seed
    equals the sweep's value on that seed.

    >>> runs = {s: {"chapter": "demo", "claims": [{"name": "c", "ours": v, "op": ">",
    ...     "threshold": 0.5, "holds": v > 0.5, "kind": "paper", "expect": "reproduced"}]}
    ...     for s, v in ((0, 0.9), (1, 0.4))}
    >>> old = summarise_sweep(runs)
    >>> old["claims"][0]["as_expected"]
    False
    >>> new = relabel_sweep(old, {"seed": 0, "claims": [dict(runs[0]["claims"][0],
    ...                                                       expect="partly")]})
    >>> new["claims"][0]["verdict"], new["claims"][0]["as_expected"]
    ('partly', True)
    """
    claims_now = result["claims"]
    names = [c["name"] for c in claims_now]
    if names != [c["name"] for c in summary["claims"]]:
        raise ValueError("the results file and the sweep have different claims: sweep again")
    seed = str(result["seed"])
    for c, s in zip(claims_now, summary["claims"]):
        if c["op"] != s["op"] or c["threshold"] != s["threshold"]:
            raise ValueError(f"{c['name']}: the test changed: sweep again")
        if seed not in s["values"]:
            raise ValueError(f"seed {seed} is not in the sweep: sweep again")
        for k, v in s["values"].items():  # a threshold computed in each run cannot be relabelled
            m = (s.get("margins") or {}).get(k)
            if v is not None and m is not None and abs(margin(v, s["op"], s["threshold"]) - m) > 1e-9:
                raise ValueError(f"{c['name']}: its threshold differs from seed to seed: sweep "
                                 "again")
        swept = s["values"][seed]
        if (swept is None) != (c["ours"] is None) or (
                swept is not None and abs(swept - c["ours"]) > 1e-9 * max(1.0, abs(swept))):
            raise ValueError(f"{c['name']}: ours {c['ours']} differs from the sweep's "
                             f"{swept} on seed {seed}: the measurement changed, sweep again")
    runs = {}
    for s_key in summary["claims"][0]["values"]:
        runs[int(s_key)] = {"chapter": summary["chapter"],
                            "runtime_s": (summary.get("runtime_s") or {}).get(s_key),
                            "claims": [{
                                "name": c["name"], "kind": c.get("kind"),
                                "expect": c.get("expect"), "paper": c.get("paper"),
                                "note": c.get("note", ""), "op": s["op"],
                                "threshold": s["threshold"], "test": c.get("test", s["test"]),
                                "ours": s["values"][s_key], "holds": s["holds"][s_key],
                                "null": (s.get("nulls") or {}).get(s_key),
                                "null_holds": (s.get("null_holds") or {}).get(s_key)}
                                for c, s in zip(claims_now, summary["claims"])]}
    failed = {int(k): v for k, v in (summary.get("failed_runs") or {}).items()}
    out = summarise_sweep(runs, failed)
    out["chapter"] = summary["chapter"]
    return out
