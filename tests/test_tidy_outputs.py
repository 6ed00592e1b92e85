from pathlib import Path

import nbformat

from tools import tidy_outputs as tidy

ROOT = Path(__file__).resolve().parents[1]


def stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_progress_bar_redraws_collapse_to_the_final_state():
    outputs = [stream("vocab 10\n"), stream("\rbar 0%"), stream("\rbar 50%"), stream("\rbar 100%"),
               stream("\n"), stream("warn\n", name="stderr"), stream("done\n")]
    out = tidy.tidy_outputs(outputs)
    assert [(o.name, o.text) for o in out] == [("stdout", "vocab 10\nbar 100%\n"), ("stderr", "warn\n"),
                                                ("stdout", "done\n")]


def test_tidy_notebook_leaves_everything_else_alone(tmp_path):
    cell = nbformat.v4.new_code_cell("print()", execution_count=1,
                                     outputs=[stream("\ra"), stream("\rb\n"),
                                              nbformat.v4.new_output("execute_result", data={"text/plain": "1"},
                                                                     execution_count=1)])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert tidy.tidy_notebook(str(path))
    cell = nbformat.read(path, as_version=4).cells[0]
    assert cell.execution_count == 1 and [o.output_type for o in cell.outputs] == ["stream", "execute_result"]
    assert cell.outputs[0].text == "b\n"
    assert not tidy.tidy_notebook(str(path))  # idempotent
