"""Run one chapter for several seeds and summarise its claims across them.

    python tools/sweep.py notebooks/07_reversal_curse.ipynb --seeds 0 1 2 3 4 5 [--jobs 2]
    make seeds NB=notebooks/07_reversal_curse.ipynb SEEDS="0 1 2 3 4 5"

Each seed executes the notebook top to bottom in a fresh kernel with ``RINDOKU_SEED`` set and
``RINDOKU_RESULTS`` pointing at a scratch folder, so neither the notebook nor the committed
``results/NN_slug.json`` changes. The per-seed results files are summarised with
:func:`rindoku.claims.summarise_sweep` into ``results/sweeps/NN_slug.json`` (per claim: value,
margin and verdict per seed, range, thinnest margin, and a flag when that margin is thinner
than the seed-to-seed spread). A notebook shows that file with
``rindoku.claims.sweep_table("NN_slug")``, so the per-seed ranges quoted in its prose are
never typed in.

Exit status: 0 when every claim's outcome across the seeds is the one its chapter reports
(:func:`rindoku.claims.sweep_problems` finds nothing), 1 otherwise (the summary is written
either way, and the problems are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rindoku import book, claims

ROOT = Path(__file__).resolve().parents[1]


def run_seed(notebook: Path, seed: int, scratch: Path, timeout: int = 1800) -> tuple[dict | None, str]:
    """Execute ``notebook`` with ``RINDOKU_SEED=seed``; return (results dict or None, log tail)."""
    out = scratch / f"seed_{seed}"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RINDOKU_SEED": str(seed), "RINDOKU_RESULTS": str(out),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    cmd = [jupyter, "nbconvert", "--to", "notebook", "--execute", f"--output-dir={out}",
           f"--ExecutePreprocessor.timeout={timeout}", str(notebook)]
    proc = subprocess.run(cmd, env=env, cwd=notebook.parent, capture_output=True, text=True)
    result_file = out / f"{notebook.stem}.json"
    log = (proc.stdout + proc.stderr)[-3000:]
    if not result_file.is_file():
        return None, log
    return json.loads(result_file.read_text(encoding="utf-8")), log


def sweep(notebook: Path, seeds: list[int], jobs: int = 1, out_dir: Path | None = None,
          quiet: bool = False) -> dict:
    """Run every seed, write ``<out_dir>/<chapter>.json`` and return the summary."""
    notebook = Path(notebook).resolve()
    out_dir = Path(out_dir) if out_dir else book.committed_results_dir(ROOT) / "sweeps"
    runs, failed = {}, {}
    with tempfile.TemporaryDirectory(prefix="rindoku-sweep-") as tmp:
        def one(seed):
            t0 = time.perf_counter()
            result, log = run_seed(notebook, seed, Path(tmp))
            if not quiet:
                state = "no results file" if result is None else (
                    "every claim as reported" if all(
                        claims.outcome_as_expected(c.get("kind"), c.get("expect"), c["holds"])
                        for c in result["claims"]) else "some claims not as reported")
                print(f"seed {seed}: {state} ({time.perf_counter() - t0:.0f} s wall)", flush=True)
            return seed, result, log

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for seed, result, log in pool.map(one, seeds):
                if result is None:
                    failed[seed] = log.strip().splitlines()[-1] if log.strip() else "no output"
                else:
                    runs[seed] = result
    summary = claims.summarise_sweep(runs, failed)
    summary["chapter"] = summary["chapter"] or notebook.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{notebook.stem}.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not quiet:
        print(claims.sweep_frame(summary).to_string(index=False))
        print(f"wrote {path}")
        if summary["flagged"]:
            print("flagged (thinnest margin < seed-to-seed spread): " + "; ".join(summary["flagged"]))
        for problem in claims.sweep_problems(summary):
            print("problem: " + problem)
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    ap.add_argument("--jobs", type=int, default=1,
                    help="seeds run at once (each kernel uses the chapter's own thread count)")
    ap.add_argument("--out", type=Path, default=None, help="folder for the summary "
                    "(default: results/sweeps)")
    ap.add_argument("--relabel", action="store_true",
                    help="run no seed: carry the kinds and declared verdicts of the chapter's "
                    "results file (after a `make run`) into its committed sweep; refused "
                    "unless the claims, their tests and the measured value are the same")
    args = ap.parse_args(argv)
    if args.relabel:
        return relabel(args.notebook, out_dir=args.out)
    summary = sweep(args.notebook, args.seeds, jobs=args.jobs, out_dir=args.out)
    return 0 if not claims.sweep_problems(summary) else 1


def relabel(notebook: Path, out_dir: Path | None = None) -> int:
    """``--relabel``: see :func:`rindoku.sweeps.relabel_sweep`."""
    from rindoku import sweeps

    name = Path(notebook).stem
    folder = Path(out_dir) if out_dir else book.committed_results_dir(ROOT) / "sweeps"
    path = folder / f"{name}.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    result_file = book.committed_results_dir(ROOT) / f"{name}.json"
    result = json.loads(result_file.read_text(encoding="utf-8"))
    new = sweeps.relabel_sweep(summary, result)
    path.write_text(json.dumps(new, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"relabelled {path} from {result_file}")
    problems = claims.sweep_problems(new)
    for problem in problems:
        print("problem: " + problem)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
