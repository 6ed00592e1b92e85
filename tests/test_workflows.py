"""The GitHub workflows: linted with actionlint, and doing what the README says they do."""
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def test_workflows_pass_actionlint():
    exe = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    done = subprocess.run([exe, *sorted(map(str, WORKFLOWS.glob("*.yml")))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_runs_ci_run_and_pages_deploy_the_book():
    ci = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    steps = [s.get("run", "") for s in ci["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in steps
    pages = yaml.safe_load((WORKFLOWS / "pages.yml").read_text())
    build = [s.get("run", s.get("uses", "")) for s in pages["jobs"]["build"]["steps"]]
    assert "make book" in build and any("upload-pages-artifact" in s for s in build)
    assert "deploy-pages" in pages["jobs"]["deploy"]["steps"][0]["uses"]
    colab = yaml.safe_load((WORKFLOWS / "colab.yml").read_text())
    assert "colab-images/public/runtime" in colab["jobs"]["colab"]["container"]
