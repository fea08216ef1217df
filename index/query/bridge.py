"""The question's terms a sentence states in another form, for the features: "OPEC" by "the
Organization of the Petroleum Exporting Countries", "International Monetary Fund" by
"IMF" (`acronyms`), "Japanese" by "Japan" (`demonyms`). Such a sentence used to look as if
it missed the question's name: low coverage and MaxSim, and the abstain model refused
"What did OPEC agree to?" over the one article that answers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from index.query.acronyms import asked_long_forms, long_forms, written_acronyms
from index.query.demonyms import other_forms


@dataclass(frozen=True)
class Bridge:
    """What to look for in a sentence, read once per question. Only capitalised long forms
    are read: initials of lower-case words match by chance ("in May from" is no IMF)."""

    acronyms: frozenset[str] = frozenset()  # question terms written as an acronym
    expanded: tuple[tuple[str, frozenset[str]], ...] = ()  # (initials, question terms) of its long forms
    countries: tuple[tuple[str, frozenset[str]], ...] = ()  # (question term, its other forms)

    @classmethod
    def of(cls, text: str, terms: Iterable[str]) -> Bridge:
        asked = frozenset(terms)
        return cls(
            written_acronyms(text) & asked,
            tuple((i, ts & asked) for i, ts in asked_long_forms(text) if ts & asked),
            tuple((t, other_forms(t)) for t in sorted(asked) if other_forms(t)),
        )

    def __bool__(self) -> bool:
        return bool(self.acronyms or self.expanded or self.countries)

    def stated(self, text: str, terms: frozenset[str]) -> frozenset[str]:
        """The question's terms a sentence (its text and terms) states in another form."""
        out: set[str] = set()
        if self.acronyms:
            out |= self.acronyms & long_forms(text)
        if self.expanded:
            written = written_acronyms(text)
            for initials, ts in self.expanded:
                if initials in written:
                    out |= ts
        out.update(t for t, forms in self.countries if forms & terms)
        return frozenset(out)

    def in_terms(self, terms: set[str]) -> set[str]:
        """The question's terms an article's terms state in another form."""
        found = {t for initials, ts in self.expanded if initials in terms for t in ts}
        return found | {t for t, forms in self.countries if forms & terms}
