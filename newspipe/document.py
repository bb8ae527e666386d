"""The document record: the fields of the contract, in the order they are written.

Documents travel through the stages as plain dicts (read through ``ItemAdapter`` by the stages, so
a user's stage may as well work on dataclasses). Keys that start with ``_`` are working data of the
pipeline (the normalised text, the spider's own verdict on the input) and are never exported.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itemadapter import ItemAdapter
from itemadapter.adapter import DictAdapter

#: Every kept record has these fields, in this order; rejects add ``reject_reason`` and
#: ``reject_detail``.
RECORD_FIELDS: tuple[str, ...] = (
    "id",
    "text",
    "title",
    "lang",
    "lang_score",
    "source",
    "url",
    "path",
    "content_hash",
    "duplicate_of",
    "similarity",
    "run_id",
    "ingested_at",
)

#: Set by the spider when the input itself is bad: (reason word, detail).
INPUT_REJECT = "_input_reject"
#: The input file a document came from, relative to its seed root (the input manifest's key).
INPUT = "_input"
#: The folder name a document's source defaults to (see newspipe.stages.source).
FOLDER_SOURCE = "_folder_source"
#: ``(text, normalised form of text)``: computed once, reused while ``text`` is unchanged.
NORMALISED = "_normalised"


def new_document(**fields: Any) -> dict[str, Any]:
    """A document with every contract field present (None where unknown), then ``fields``."""
    document: dict[str, Any] = dict.fromkeys(RECORD_FIELDS)
    document.update(fields)
    return document


def document_id(origin: str, content: bytes) -> str:
    """A stable id from where a document came from and its bytes: same input, same id."""
    digest = hashlib.blake2b(origin.encode("utf-8", "surrogatepass"), digest_size=8)
    digest.update(b"\0")
    digest.update(content)
    return digest.hexdigest()


def exported(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the pipeline's working keys."""
    return {key: value for key, value in document.items() if not key.startswith("_")}


def normalised_text(doc: Any) -> str:
    """The normalised form of the document's current ``text``, computed once per text.

    ``doc`` is a dict or an ``ItemAdapter``. A stage that rewrites ``text`` makes the cached
    form stale; the comparison below notices and computes it again.
    """
    from newspipe.text.normalize import normalise

    text = doc.get("text") or ""
    cached = doc.get(NORMALISED)
    if (cached is not None and cached[0] is text) or (cached is not None and cached[0] == text):
        return str(cached[1])
    normalised = normalise(text)
    doc[NORMALISED] = (text, normalised)
    return normalised


class DocumentAdapter(ItemAdapter):
    """``ItemAdapter`` over a plain dict (every document newspipe reads), at dict speed.

    The stages read and write a few fields of every document through their adapter: the
    generic one goes through ``Mapping.get``, its own ``__getitem__`` and a ``DictAdapter``,
    and a missing key raises and catches ``KeyError`` on the way (about 4% of a worker's time).
    This one answers from the dict directly; what it answers is the same.
    """

    def __init__(self, item: dict[str, Any]) -> None:
        self.adapter = DictAdapter(item)
        self._item = item

    def get(self, key: str, default: Any = None) -> Any:
        return self._item.get(key, default)

    def __getitem__(self, field_name: str) -> Any:
        return self._item[field_name]

    def __setitem__(self, field_name: str, value: Any) -> None:
        self._item[field_name] = value

    def __delitem__(self, field_name: str) -> None:
        del self._item[field_name]

    def __contains__(self, field_name: object) -> bool:
        return field_name in self._item


def adapter_for(item: Any) -> ItemAdapter:
    """The adapter a stage gets for ``item``: :class:`DocumentAdapter` for a plain dict."""
    return DocumentAdapter(item) if type(item) is dict else ItemAdapter(item)
