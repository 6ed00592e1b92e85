"""One number format for claims, sweep tables, pages and pandas tables."""
import numpy as np
import pytest

from rindoku import claims, formatting, plotting
from tools import pages


@pytest.mark.parametrize("value, text", [
    (0.96666, "0.967"), (4.37e-05, "4.37×10⁻⁵"), (123456.0, "123,456"), (-0.25, "−0.25"),
    (12, "12"), (-3, "−3"), (12345, "12,345"), (np.float32(0.5), "0.5"), (np.int64(7), "7"),
    (1.0, "1"), (float("inf"), "inf"),
])
def test_every_table_writes_a_number_the_same_way(value, text):
    assert formatting.format_number(value) == text
    assert claims.format_value(value) == text  # the claims and sweep tables
    assert pages._cell(value) == text  # the generated pages


def test_digits_and_the_other_values():
    assert formatting.format_number(138.15, 4) == plotting.table_number(138.15) == "138.2"
    assert formatting.format_value(None) == pages._cell(None) == "—"
    assert formatting.format_value([0.5, -1]) == "0.5, −1"
    assert formatting.format_value(True) == "yes"
    assert claims.describe("in", (-0.05, 0.05)) == "in [−0.05, 0.05]"
