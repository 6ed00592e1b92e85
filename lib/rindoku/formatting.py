"""How the book writes a number: one formatter for the claims tables, the seed-sweep tables,
the generated pages (``tools/make_pages.py``) and pandas tables in the chapters
(:func:`rindoku.plotting.use_style`).

A number never breaks mid-token in a narrow table cell: significant digits (three by
default), powers of ten as ``4.37×10⁻⁵`` instead of ``4.37e-05`` (which wraps at the hyphen),
the minus sign ``−`` (U+2212) instead of a hyphen, and thousands separated by commas from
10,000 up.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(value: float, digits: int = 3) -> str:
    """A number as the book's tables show it: ``digits`` significant digits.

    >>> format_number(4.37e-05), format_number(0.96666), format_number(123456.0)
    ('4.37×10⁻⁵', '0.967', '123,456')
    >>> format_number(-0.25), format_number(138.15, 4), format_number(12), format_number(float("nan"))
    ('−0.25', '138.2', '12', 'nan')
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
        text = f"{value:,}" if abs(value) >= 10_000 else str(value)
        return text.replace("-", "−")
    value = float(value)
    if math.isnan(value):
        return "nan"
    if abs(value) >= 1e4 and math.isfinite(value):
        text = f"{value:,.0f}"
    else:
        text = f"{value:.{digits}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return text.replace("-", "−")


def format_value(value: Any, digits: int = 3) -> str:
    """Any value of a claim or a table cell as plain text: numbers (Python, NumPy or a
    one-element tensor) by :func:`format_number`, ``None`` as ``—``, booleans as yes/no,
    lists and pairs joined by commas, anything else as ``str``.

    >>> format_value(0.96666), format_value(None), format_value("~4x"), format_value(True)
    ('0.967', '—', '~4x', 'yes')
    >>> format_value((0.6, 1.05)), format_value(-3)
    ('0.6, 1.05', '−3')
    """
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (list, tuple)):
        try:
            value = value.item()
        except (ValueError, RuntimeError):
            pass
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real):
        return format_number(value, digits)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v, digits) for v in value)
    return str(value)
