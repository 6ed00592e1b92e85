"""The book's command-line tools (``python tools/NAME.py``), importable as ``tools.NAME`` from
the repository root, as the tests import them. The book's data they work on (configuration,
chapters, results) is :mod:`rindoku.book`.
"""
