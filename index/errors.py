"""Errors a user can act on. Front ends print them as one line: `Error: ...`."""

from __future__ import annotations


class NewsdeskError(Exception):
    """A problem the user can fix; its message says how."""


class MissingDependencyError(NewsdeskError):
    """An optional backend was chosen but its package is not installed."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"{what}; install it with: {hint}")


class IndexMissingError(NewsdeskError):
    """There is no index (or it is empty) where settings point."""


class IndexLockedError(NewsdeskError):
    """Another `newsdesk index` holds the lock on this index."""


class StoreUnavailableError(NewsdeskError):
    """The Chroma server or the on-disk store cannot be opened."""


class QuestionError(NewsdeskError):
    """The question is empty, whitespace, or too long."""
