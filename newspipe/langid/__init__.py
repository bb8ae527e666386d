"""Language identification: plain functions and backends behind one small interface."""

from newspipe.langid.detect import Detection, LangidBackend, make_backend

__all__ = ["Detection", "LangidBackend", "make_backend"]
