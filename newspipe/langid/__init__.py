"""Language identification: plain functions and backends behind one small interface."""

from newspipe.langid.backends import (
    BACKENDS,
    BackendUnavailable,
    Detection,
    LangidBackend,
    get_backend,
)
from newspipe.langid.codes import UNDETERMINED, to_iso639_1
from newspipe.langid.detect import LangidConfig, identify, make_backend
from newspipe.langid.script import ScriptEvidence, script_evidence

__all__ = [
    "BACKENDS",
    "UNDETERMINED",
    "BackendUnavailable",
    "Detection",
    "LangidBackend",
    "LangidConfig",
    "ScriptEvidence",
    "get_backend",
    "identify",
    "make_backend",
    "script_evidence",
    "to_iso639_1",
]
