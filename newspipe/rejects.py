"""Why a document was not kept: one :class:`~scrapy.exceptions.DropItem` subclass per reason.

Raising one of these from a stage sends the document to the rejects file with ``reject_reason``
(the class's one-word ``reason``) and ``reject_detail`` (the message), and Scrapy counts it under
``item_dropped_reasons_count/<ClassName>``.
"""

from __future__ import annotations

from typing import ClassVar

from scrapy.exceptions import DropItem


class Reject(DropItem):
    """A document that is not kept. Subclasses fix ``reason``; :class:`Rejected` takes any."""

    reason: ClassVar[str] = "rejected"

    def __init__(self, detail: str, log_level: str | None = "DEBUG") -> None:
        super().__init__(detail, log_level=log_level)
        self.detail = detail


class Rejected(Reject):
    """A reject whose reason word is given at run time (for users' own stages)."""

    def __init__(self, reason: str, detail: str, log_level: str | None = "DEBUG") -> None:
        super().__init__(detail, log_level=log_level)
        self.reason = reason  # type: ignore[misc]  # per-instance reason on purpose


class Empty(Reject):
    reason = "empty"


class Binary(Reject):
    reason = "binary"


class Undecodable(Reject):
    reason = "undecodable"


class Malformed(Reject):
    reason = "malformed"


class TooLarge(Reject):
    reason = "too_large"


class Unsupported(Reject):
    reason = "unsupported"


class Unreadable(Reject):
    reason = "unreadable"


class Unsafe(Reject):
    reason = "unsafe"


class Language(Reject):
    reason = "language"


class Duplicate(Reject):
    reason = "duplicate"


class NearDuplicate(Reject):
    reason = "near_duplicate"


REJECTS_BY_REASON: dict[str, type[Reject]] = {
    cls.reason: cls
    for cls in (
        Empty,
        Binary,
        Undecodable,
        Malformed,
        TooLarge,
        Unsupported,
        Unreadable,
        Unsafe,
        Language,
        Duplicate,
        NearDuplicate,
    )
}


def reject_for(reason: str, detail: str) -> Reject:
    """The exception for ``reason``: its own class when newspipe has one, else :class:`Rejected`."""
    cls = REJECTS_BY_REASON.get(reason)
    return cls(detail) if cls is not None else Rejected(reason, detail)


def reason_of(exception: BaseException) -> str:
    """The reason word of any drop, including a plain ``DropItem`` from a user's own pipeline."""
    if isinstance(exception, Reject):
        return exception.reason
    name = type(exception).__name__
    if name == "DropItem":
        return "dropped"
    # MyTooShortDrop -> my_too_short_drop: a word, as the contract asks
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
