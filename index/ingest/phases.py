"""Where an index build's time goes, for `newsdesk index --json` and its one summary line.

Phases nest (the keyword index is written from inside the Chroma write, sentence data
is finished inside an article's write): a phase entered inside another is charged to
itself alone, so the phases never count a second twice and add up to at most the run.
What no phase covers (the lock, state files, deletions) is the run's "other".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

# In the order a build meets them: files -> articles, spaCy and the model loaded, spaCy's
# nlp.pipe, chunks and the answerer's sentence records, the ONNX pass, Chroma and the
# sentence store, the FTS5 keyword index.
PHASES = ("read", "load", "nlp", "chunk", "embed", "write", "lexical")


class Phases:
    """Exclusive wall seconds per phase name."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.seconds: dict[str, float] = {}
        self._clock = clock
        self._open: list[list[Any]] = []  # [name, charged from], innermost last

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        now = self._clock()
        if self._open:  # the enclosing phase stops counting while this one runs
            outer = self._open[-1]
            self._charge(outer[0], now - outer[1])
        self._open.append([name, now])
        try:
            yield
        finally:
            now = self._clock()
            _, started = self._open.pop()
            self._charge(name, now - started)
            if self._open:
                self._open[-1][1] = now

    def _charge(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def each(self, name: str, items: Iterable[T]) -> Iterator[T]:
        """The items, with the time spent producing each (a generator's work) charged to `name`."""
        source = iter(items)
        while True:
            with self(name):
                try:
                    item = next(source)
                except StopIteration:
                    return
            yield item

    def calls(self, name: str, target: Any) -> Any:
        """`target` with every method call charged to `name` (e.g. a store written from inside
        another phase)."""
        return _Charged(self, name, target)

    def report(self, total: float) -> dict[str, float]:
        """Seconds per phase in PHASES order (0 when a phase did not run), and "other"."""
        out = {name: round(self.seconds.get(name, 0.0), 3) for name in PHASES}
        out |= {k: round(v, 3) for k, v in self.seconds.items() if k not in out}
        out["other"] = round(max(0.0, total - sum(self.seconds.values())), 3)
        return out


class _Charged:
    def __init__(self, phases: Phases, name: str, target: Any) -> None:
        self._phases, self._name, self._target = phases, name, target

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._target, attr)
        if not callable(value):
            return value

        def charged(*args: Any, **kwargs: Any) -> Any:
            with self._phases(self._name):
                return value(*args, **kwargs)

        return charged


def peak_rss_mb() -> int:
    """This process's peak resident memory so far (Linux reports kB, macOS bytes)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))
