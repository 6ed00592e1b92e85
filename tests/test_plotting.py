import matplotlib.pyplot as plt
import numpy as np

from rindoku import plotting


def test_smooth():
    assert np.allclose(plotting.smooth([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    assert np.allclose(plotting.smooth([5, 6], 1), [5, 6])


def test_loss_curve_and_style():
    plotting.use_style()
    ax = plotting.loss_curve([3.0, 2.0, 1.0, 0.5], label="run")
    assert ax.get_xlabel() == "step" and len(ax.lines) == 2
    plt.close("all")


def test_styled_tables_show_four_significant_digits():
    import pandas as pd

    plotting.use_style()
    df = pd.DataFrame({"method": ["RAIN"], "harmless": [0.45], "tokens": [138.149]})
    html = df.style.hide(axis="index").to_html()
    assert ">0.45<" in html and ">138.1<" in html and "0.450000" not in html
    assert ">0.450<" in df.style.format(precision=3).to_html()  # a notebook's own format wins
