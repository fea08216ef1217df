"""Keeping credentials out of what newsdesk shows: notes, errors, logs and `repr()`.

`LLM_BASE_URL=http://user:secret@host/v1?api-key=...` is a legitimate way to pass a key,
so every URL a user can see is shown without its userinfo and query string, and objects
that hold keys (settings, LLM and embedding clients) print `***` in their place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
_SECRET_NAMES = re.compile(r"key|token|secret|password|credential|auth", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """The URL without userinfo, query string or fragment (`http://***@host/v1?***`)."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rsplit("@", 1)[-1]
        netloc = f"{MASK}@{host}" if "@" in parts.netloc else host
        query = MASK if parts.query else ""
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:  # not parseable: keep nothing that could be a secret
        return re.sub(r"//[^/]*@", f"//{MASK}@", url.split("?", 1)[0].split("#", 1)[0])


def redact_text(text: str) -> str:
    """Every URL inside a message redacted (exception texts can quote the URL they hit)."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group()), text)


def redact_value(name: str, value: Any) -> Any:
    """What repr() may show of a field: keys masked, URLs redacted."""
    if isinstance(value, str):
        if value and _SECRET_NAMES.search(name):
            return MASK
        return redact_text(value)
    return value


class RedactedRepr:
    """Mixin for pydantic models that hold keys or URLs with credentials."""

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():  # type: ignore[misc]
            yield name, redact_value(name or "", value)


class RedactingFilter(logging.Filter):
    """Redacts URLs in log records (httpx logs every request URL at INFO, credentials and all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_logs(logger: logging.Logger | None = None) -> None:
    """Install RedactingFilter on the handlers of logger (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
