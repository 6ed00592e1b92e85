import io
import sys

import pytest

from rindoku import progress


def test_bar_is_plain_text_80_columns_on_stdout(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    for _ in progress.bar(range(5), "work", mininterval=0):
        pass
    text = out.getvalue()
    assert "work: 100%" in text and "5/5" in text
    assert max(len(line) for line in text.replace("\r", "\n").splitlines()) <= 80
    b = progress.bar(total=3, desc="manual")
    assert b.ncols == 80 and b.fp.__class__.__name__ != "IOPub"
    b.close()


def test_bar_settings_are_fixed():
    with pytest.raises(TypeError, match="ncols"):
        progress.bar(range(2), ncols=120)
    with pytest.raises(TypeError, match="file"):
        progress.bar(range(2), file=sys.stderr)
