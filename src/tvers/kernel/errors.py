"""The error kinds every module subclasses; messages are safe to show to clients.

    TversError                      code "error"
    ├── NotFound                    "not_found"
    ├── InvalidInput                "invalid_input"
    ├── Conflict                    "conflict"
    ├── NotAllowed                  "not_allowed"
    ├── Unauthenticated             "unauthenticated"
    └── ExternalFailure             "external_failure" (retryable=…)

A module subclasses a kind with its own stable snake_case `code`
(`class InsufficientStock(Conflict): code = "insufficient_stock"`).
Mapping kinds to HTTP statuses belongs to the web layer, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "Conflict",
    "ExternalFailure",
    "FieldError",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "TversError",
    "Unauthenticated",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field; `field` is a dotted path like "rows.3.gtin"."""

    field: str
    message: str
    code: str = "invalid"


class TversError(Exception):
    """Base of every expected failure; `context` holds extra JSON-safe detail for clients."""

    code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Sequence[FieldError] = (),
        **context: object,
    ) -> None:
        super().__init__(message)
        self.message = message
        # An instance attribute shadows the class default only when given.
        self.code = code or type(self).code  # type: ignore[misc]
        self.fields: tuple[FieldError, ...] = tuple(fields)
        self.context: dict[str, object] = dict(context)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class NotFound(TversError):
    code = "not_found"


class InvalidInput(TversError):
    code = "invalid_input"


class Conflict(TversError):
    code = "conflict"


class NotAllowed(TversError):
    code = "not_allowed"


class Unauthenticated(TversError):
    code = "unauthenticated"


class ExternalFailure(TversError):
    """A third party failed; `retryable` says whether trying again may help."""

    code = "external_failure"

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        code: str | None = None,
        fields: Sequence[FieldError] = (),
        **context: object,
    ) -> None:
        super().__init__(message, code=code, fields=fields, **context)
        self.retryable = retryable
