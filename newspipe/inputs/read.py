"""Walking the seed roots in a stable order and turning each file into documents."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newspipe.document import FOLDER_SOURCE, INPUT_REJECT, document_id, new_document
from newspipe.inputs.decode import NotText, decode_bytes

logger = logging.getLogger(__name__)

#: File endings read as one document each.
TEXT_SUFFIXES = frozenset({".txt"})


@dataclass(frozen=True)
class InputOptions:
    """What the spider was asked to read, and how."""

    roots: tuple[Path, ...]
    source: str | None = None
    max_doc_bytes: int = 0


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file found under a seed root."""

    path: Path
    root: Path

    @property
    def relative(self) -> str:
        """The path the contract writes: relative to the seed root (the file name for a file root)."""
        if self.root.is_file() or self.root == self.path:
            return self.path.name
        return self.path.relative_to(self.root).as_posix()

    def default_source(self, given: str | None) -> str:
        """The source of a document that names none: its folder under the seed root, else
        ``-a source=``, else the seed root's own name."""
        parts = Path(self.relative).parts
        if len(parts) > 1:
            return parts[0]
        return given or (self.root.parent.name if self.root.is_file() else self.root.resolve().name)


def find_inputs(root: Path) -> Iterator[InputFile]:
    """The readable files under ``root`` (or ``root`` itself), sorted by path so runs are stable."""
    if root.is_file():
        yield InputFile(root, root)
        return
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found.extend(Path(folder) / name for name in files if not name.startswith("."))
    for path in sorted(found):
        if path.suffix.lower() in TEXT_SUFFIXES:
            yield InputFile(path, root)


def iter_documents(options: InputOptions) -> Iterator[dict[str, Any]]:
    """Every document of every input, in order; unreadable inputs as documents carrying a reject."""
    for root in options.roots:
        for input_file in find_inputs(root):
            yield from read_file(input_file, options)


def read_file(input_file: InputFile, options: InputOptions) -> Iterator[dict[str, Any]]:
    """The documents of one ``.txt`` file: one, or one reject."""
    relative = input_file.relative
    base = {"path": relative, FOLDER_SOURCE: input_file.default_source(options.source)}
    try:
        data = input_file.path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        yield new_document(
            id=document_id(relative, b""),
            **base,
            **{INPUT_REJECT: ("unreadable", f"{relative}: cannot be read ({reason})")},
        )
        return
    doc_id = document_id(relative, data)
    try:
        decoded = decode_bytes(data)
    except NotText as exc:
        yield new_document(id=doc_id, **base, **{INPUT_REJECT: (exc.reason, f"{relative}: {exc.detail}")})
        return
    yield new_document(id=doc_id, text=decoded.text, encoding=decoded.encoding, **base)
