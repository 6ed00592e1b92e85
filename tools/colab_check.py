"""Check every chapter's Colab setup cell in a runtime built like Colab's (``make colab-check``).

    python tools/colab_check.py [--runtime PYTHON] [--run NN ...] [--no-run]

1. The runtime: by default a virtual environment ``_build/colab/venv`` with the packages the
   book touches at the versions of Colab's published CPU runtime (``tools/colab/pip-freeze.txt``,
   used as pip constraints). Where Colab's own torch wheel cannot be fetched (its CPU wheels live
   outside the package registries), torch is the book's pin and the report says so.
   ``--runtime PYTHON`` uses an existing interpreter instead, e.g. ``python3`` inside Colab's
   runtime image (the weekly workflow); nothing is built then.
2. For each chapter, the setup cell's install lines, with the repository URL pointed at this
   working tree, are resolved by ``pip install --dry-run --report`` against the untouched
   runtime: the report lists what pip would add, upgrade or downgrade. The check fails if torch,
   numpy or pandas would change, or pyarrow or datasets in a chapter that does not need trl.
3. The chapters that load SmolLM2 (or those named with ``--run``) are then installed for real,
   in order of their extras, into a copy of the runtime (``_build/colab/run``), and executed
   top to bottom with nbclient; their results files go to ``_build/colab/results``, and a
   claim that does not come out as the chapter reports it fails the chapter's last cell, as in
   ``make test``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "lib")]  # also where the library is not installed yet
from tools.stamping import _SETUP_SIGN, chapter_needs  # noqa: E402

FREEZE = ROOT / "tools" / "colab" / "pip-freeze.txt"
OUT = ROOT / "_build" / "colab"
#: What the book imports, or what a chapter needs to be executed, from Colab's own packages.
BOOK_PACKAGES = ["numpy", "pandas", "scipy", "scikit-learn", "matplotlib", "sympy", "tqdm",
                 "transformers", "tokenizers", "safetensors", "huggingface_hub", "accelerate",
                 "peft", "datasets", "pyarrow", "PyYAML", "ipykernel", "nbclient", "nbformat"]
NEVER = {"torch", "numpy", "pandas"}
TRL_ONLY = {"pyarrow", "datasets"}


def sh(*cmd, capture_output=True):
    """Run a command; on failure show its output (pip's own warnings are kept quiet)."""
    done = subprocess.run([str(c) for c in cmd], text=True, capture_output=capture_output)
    if done.returncode:
        sys.stderr.write((done.stdout or "") + (done.stderr or ""))
        raise subprocess.CalledProcessError(done.returncode, cmd)
    return done


def colab_pins() -> dict[str, str]:
    pins = {}
    for line in FREEZE.read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9_.-]+)(==| @ )(\S+)", line):
            pins[canon(m.group(1))] = m.group(3)
    return pins


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def build_runtime(python: str) -> tuple[Path, list[str]]:
    """The simulated Colab runtime; returns its python and the deviations from Colab."""
    venv, notes = OUT / "venv", []
    py = venv / "bin" / "python"
    if not (venv / ".built").exists():
        sh(python, "-m", "venv", "--clear", venv)
        sh(py, "-m", "pip", "install", "-q", "--upgrade", "pip")
        constraints = OUT / "constraints.txt"
        constraints.write_text("\n".join(l for l in FREEZE.read_text().splitlines()
                                         if re.match(r"^[A-Za-z0-9_.-]+==", l)) + "\n")
        torch = colab_pins()["torch"]
        try:
            subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", torch],
                           check=True, capture_output=True)
        except subprocess.CalledProcessError:
            pin = re.search(r"torch==[\d.]+", (ROOT / "Makefile").read_text()).group(0)
            sh(py, "-m", "pip", "install", "-q", pin)
            (OUT / "torch-note.txt").write_text(f"Colab's torch wheel unreachable; {pin}\n")
        sh(py, "-m", "pip", "install", "-q", "-c", constraints, *BOOK_PACKAGES)
        (venv / ".built").touch()
    if (OUT / "torch-note.txt").exists():
        notes.append((OUT / "torch-note.txt").read_text().strip())
    version = sh(py, "-c", "import sys; print(sys.version.split()[0])").stdout.strip()
    colab_python = re.search(r"Python (\S+)", (FREEZE.parent / "os-info.txt").read_text())
    if colab_python and not version.startswith(colab_python.group(1).rsplit(".", 1)[0]):
        notes.append(f"Python {version} (Colab: {colab_python.group(1)})")
    return py, notes


def install_lines(nb: Path) -> tuple[list[list[str]], list[str], bool]:
    """The setup cell's pip arguments, pointed at this working tree; the extras; SmolLM2?"""
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    setup = next(s for s in code if _SETUP_SIGN in s)
    url = re.search(r'url = "(\S+)"', setup)
    if url:  # IPython expands {url} in the magic's line
        setup = setup.replace("{url}", url.group(1))
    lines = []
    for m in re.finditer(r"%pip install (.*?)(?:\s+#.*)?$", setup, re.M):
        args = [a.strip('"') for a in re.findall(r'"[^"]*"|\S+', m.group(1)) if a != "-q"]
        lines.append([re.sub(r"@ git\+\S+", f"@ file://{ROOT}", a) for a in args])
    extras, smol = chapter_needs([s for s in code if _SETUP_SIGN not in s])
    return lines, extras, smol


def dry_run(py: Path, args: list[str]) -> list[tuple[str, str | None, str]]:
    """(package, installed version or None, version pip would install) for one pip line."""
    report = OUT / "report.json"
    sh(py, "-m", "pip", "install", "-q", "--dry-run", "--report", report, *args)
    have = json.loads(sh(py, "-c", "import json, importlib.metadata as m; print(json.dumps("
                         "{d.metadata['Name']: d.version for d in m.distributions()}))"
                         ).stdout)
    have = {canon(k): v for k, v in have.items()}
    out = []
    for item in json.loads(report.read_text())["install"]:
        name = canon(item["metadata"]["name"])
        out.append((name, have.get(name), item["metadata"]["version"]))
    return out


def execute(py: Path, nb: Path) -> tuple[bool, float, str]:
    """Run a chapter top to bottom in the runtime (nbclient); (ok, seconds, last error)."""
    script = ("import sys, nbformat, nbclient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "nbclient.NotebookClient(nb, timeout=1800, kernel_name='python3',"
              " resources={'metadata': {'path': sys.argv[2]}}).execute()\n")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               RINDOKU_RESULTS=str(OUT / "results"), MPLBACKEND="Agg",
               PATH=f"{py.parent}{os.pathsep}{os.environ['PATH']}")
    t = time.time()
    done = subprocess.run([str(py), "-c", script, str(nb), str(nb.parent)], env=env,
                          capture_output=True, text=True)
    err = "" if done.returncode == 0 else done.stderr.strip().splitlines()[-1][:300]
    return done.returncode == 0, time.time() - t, err


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runtime", help="an existing Colab runtime's python (nothing is built)")
    ap.add_argument("--python", default="python3", help="the interpreter to build it from")
    ap.add_argument("--run", nargs="*", default=None,
                    help="the chapters (NN) to execute (default: those that load SmolLM2)")
    ap.add_argument("--no-run", action="store_true", help="only resolve the setup lines")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.runtime:
        py, notes = Path(args.runtime), []
    else:
        py, notes = build_runtime(args.python)
    for n in notes:
        print(f"runtime differs from Colab's: {n}")
    chapters = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    failed, to_run = [], []
    print(f"{'chapter':36} {'extras':16} {'setup s':>7}  what pip would change")
    for nb in chapters:
        lines, extras, smol = install_lines(nb)
        t = time.time()
        changes = [c for line in lines for c in dry_run(py, line) if c[1] != c[2]]
        bad = [c for c in changes if c[1] is not None and (
            c[0] in NEVER or (c[0] in TRL_ONLY and "trl" not in extras))]
        text = ", ".join(f"{n} {a or '-'}->{b}" for n, a, b in changes
                         if a is not None) or "no upgrades"
        added = sorted(n for n, a, _ in changes if a is None)
        print(f"{nb.stem:36} {','.join(extras) or '-':16} {time.time() - t:7.1f}  {text}; "
              f"adds {len(added)}: {' '.join(added)}")
        if bad:
            failed.append(f"{nb.stem}: would change {', '.join(c[0] for c in bad)}")
        wanted = smol if args.run is None else nb.stem[:2] in args.run
        if not args.no_run and wanted:
            to_run.append((len(extras), nb, lines))
    run_py = py
    if to_run and not args.runtime:  # install into a copy, so the runtime stays as Colab's
        import shutil

        shutil.rmtree(OUT / "run", ignore_errors=True)
        shutil.copytree(OUT / "venv", OUT / "run", symlinks=True)
        run_py = OUT / "run" / "bin" / "python"
    for _, nb, lines in sorted(to_run, key=lambda x: x[0]):
        for line in lines:
            sh(run_py, "-m", "pip", "install", "-q", *line)
        ok, secs, err = execute(run_py, nb)
        print(f"run {nb.stem}: {'ok' if ok else 'FAILED'} in {secs:.0f} s {err}")
        if not ok:
            failed.append(f"{nb.stem}: {err}")
    for f in failed:
        print("problem:", f)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
