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
