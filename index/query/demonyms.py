"""Countries and the words for their people: "Japanese" and "Japan" name the same country.

A question says "the Japanese finance minister", the article "Japan's Finance Minister
Kiichi Miyazawa"; stemming keeps them apart ("japanes", "japan"), so the sentence that
answers looked as if it missed the question's name. A short table, as the opposites and
roles are: the countries news writes about most, each with its adjectives. America,
Europe, Africa and Asia are left out: "American" and "European" name companies and
institutions ("American Motors", "the European Community") more often than a continent.
So is England: "English" is the language far more often than England's people (a SQuAD dev
question on "the island the English traded to the Dutch" opened with "the Dutch returned
the island to England").
"""

from __future__ import annotations

from functools import cache

from index.text import stem

# a country, then its adjectives and words for its people
_TABLE = """
Afghanistan Afghan; Albania Albanian; Algeria Algerian; Argentina Argentine Argentinian;
Armenia Armenian; Australia Australian; Austria Austrian; Bangladesh Bangladeshi; Belgium
Belgian; Bolivia Bolivian; Brazil Brazilian; Britain British; Bulgaria Bulgarian; Canada
Canadian; Chile Chilean; China Chinese; Colombia Colombian; Croatia Croatian; Cuba Cuban;
Cyprus Cypriot; Denmark Danish; Ecuador Ecuadorian; Egypt Egyptian; Ethiopia Ethiopian;
Finland Finnish; France French; Germany German; Greece Greek; Hungary Hungarian; India
Indian; Indonesia Indonesian; Iran Iranian; Iraq Iraqi; Ireland Irish; Israel Israeli;
Italy Italian; Japan Japanese; Kenya Kenyan; Korea Korean; Kuwait Kuwaiti; Lebanon
Lebanese; Libya Libyan; Malaysia Malaysian; Mexico Mexican; Mongolia Mongolian; Morocco
Moroccan; Netherlands Holland Dutch; Nigeria Nigerian; Norway Norwegian; Pakistan
Pakistani; Peru Peruvian; Philippines Philippine Filipino; Poland Polish; Portugal
Portuguese; Romania Romanian; Russia Russian; Scotland Scottish; Singapore Singaporean;
Spain Spanish; Sudan Sudanese; Sweden Swedish; Switzerland Swiss; Syria Syrian; Taiwan
Taiwanese; Thailand Thai; Tibet Tibetan; Turkey Turkish; Ukraine Ukrainian; Venezuela
Venezuelan; Vietnam Vietnamese; Wales Welsh
"""


@cache
def _groups() -> dict[str, frozenset[str]]:
    """Each word's stem -> the stems of the other words for the same country."""
    out: dict[str, frozenset[str]] = {}
    for group in _TABLE.split(";"):
        stems = frozenset(stem(word.lower()) for word in group.split())
        for s in stems:
            out[s] = stems - {s}
    return out


def other_forms(term: str) -> frozenset[str]:
    """The other terms for the country a term names ("japanes" -> {"japan"}), or none."""
    return _groups().get(term, frozenset())
