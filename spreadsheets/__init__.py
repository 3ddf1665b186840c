"""The Excel writer: a plain library (no models, no Django app) that every app may import.

One small interface (``write_xlsx`` with ``Column`` definitions) so that the writer can
change in one place; the export framework (``reports``), the pre-filled import's error
report and the journey recap all write through it.
"""
