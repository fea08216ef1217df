"""Messages that are not questions about the news: "hello", "thanks!", "what can you do?".

A chat user (and a Discord member mentioning the bot) says these; read as questions they
were refused with three "closest articles" picked for nothing ("hello" over Reuters gave
an ADB membership story). They get a short reply saying what newsdesk does instead,
with no sources, and are not carried into a conversation as its subject. So do "what?",
"who is he?" and "why?" asked with nothing before them to resolve against (`subjectless`:
no content word to search for), and "tell me more" with no answer before it.
"""

from __future__ import annotations

import re

from index.query.answer import Answer
from index.text import content_terms

_NAME = r"(?:[\s,]+(?:there|all|everyone|folks|newsdesk|bot|mate|buddy|friend))?"
_GREETING = rf"(?:hi|hello|hey|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|day)){_NAME}"
_THANKS = (
    r"(?:(?:ok(?:ay)?|great|cool|nice|perfect|awesome)[\s,!.]+)?"
    r"(?:thanks|thank\s+you|thx|ty|cheers|many\s+thanks)(?:\s+(?:a\s+lot|so\s+much|very\s+much))?" + _NAME
)
_HELP = (
    r"(?:help|help\s+me|/?help|what\s+can\s+you\s+do|what\s+do\s+you\s+do|who\s+are\s+you|what\s+are\s+you"
    r"|how\s+does\s+this\s+work|how\s+do\s+i\s+use\s+(?:this|you)|what\s+can\s+i\s+ask(?:\s+you)?)"
)
_END = r"[\s!?.,:;)(]*$"
_KINDS = {
    "greeting": re.compile(rf"^\s*{_GREETING}{_END}", re.I),
    "thanks": re.compile(rf"^\s*{_THANKS}{_END}", re.I),
    "help": re.compile(rf"^\s*(?:{_GREETING}[\s,!.]+)?{_HELP}{_END}", re.I),
}
HOW_TO = (
    "I answer questions about the news articles in my index, quoting the sentences that answer "
    'and citing each article. Ask me something like "Who ...?" or "When did ...?", '
    '"Tell me about <a topic>" or "What\'s the latest news?"; after an answer, '
    '"tell me more" goes on.'
)
REPLIES = {
    "greeting": f"Hello! {HOW_TO}",
    "thanks": "You're welcome. Ask another question about the articles any time.",
    "help": HOW_TO,
    # a question with no word to search for, once the conversation has had its say
    "subjectless": (
        "That question names nothing to look for in the articles: ask about a person, a "
        "company, a place or an event."
    ),
    # "tell me more" with no answer before it
    "nothing_before": "There is no earlier answer to go on from: ask a question first.",
}


def subjectless(text: str, more_wanted: bool, follows: bool) -> str | None:
    """The reply kind for a question with nothing to look for, or None: "tell me more"
    that follows no answer ("nothing_before"), or a question whose text, after the
    conversation resolved it (`follows`: it had an answer to resolve against), has no
    content word ("what?", "who is he?": "subjectless")."""
    if more_wanted:
        return None if follows else "nothing_before"
    return None if content_terms(text) else "subjectless"


def small_talk(text: str) -> str | None:
    """Which kind of small talk the message is ("greeting", "thanks", "help"), or None
    for anything else (every question about the news)."""
    for kind, pattern in _KINDS.items():
        if pattern.match(text):
            return kind
    return None


# the greeting then punctuation, or a dash with a space before it ("Hi-tech" is a word)
_OPENING = re.compile(rf"^\s*(?:{_GREETING}|{_THANKS})(?:\s*[,!.:;]+|\s+[-–—]+)\s*(?=\S)", re.I)


def without_greeting(text: str) -> str:
    """The question after a greeting or thanks that opens it ("Hi, who is Lavrov?" ->
    "who is Lavrov?"): "hello" is a rare word in news, and searched for, it finds the
    few articles that quote someone saying it."""
    return _OPENING.sub("", text, count=1)


# A request wrapped around the question ("Can you tell me who ...", "I'd like to know when
# ..."): what follows it, from its wh-word on, is the question.
_PREAMBLE = re.compile(
    r"^\s*(?:(?:please\s+)?(?:can|could|would|will)\s+(?:you|u|someone|anyone)\s+(?:please\s+)?"
    r"(?:tell|show|let)\s+me|(?:do|does)\s+(?:you|anyone|anybody|someone)\s+know"
    r"|i(?:'d|’d|\s+would)\s+like\s+to\s+know|i\s+(?:want|need|wish)\s+to\s+know|i\s+wonder"
    r"|(?:please\s+)?tell\s+me)(?:\s+please)?[\s,:]+(?=(?:who|whom|whose|what|when|where|which|why|how)\b)",
    re.I,
)


def without_preamble(text: str) -> str:
    """The question inside a request ("Can you tell me who met Lavrov?" -> "who met
    Lavrov?", "I'd like to know when it opened." -> "when it opened?"): "tell" and "know"
    are no words of the answer, and the answerer learned from questions that are only a
    question (docs/answer-quality.md: "Asked inside a request")."""
    inner = _PREAMBLE.sub("", text, count=1)
    if inner == text:
        return text
    stripped = inner.rstrip()
    return stripped[:-1] + "?" if stripped.endswith(".") else stripped


def small_talk_answer(question: str, kind: str, mode: str) -> Answer:
    """The reply: no sources, and `abstained` (nothing was answered from the articles)."""
    return Answer(question=question, text=REPLIES[kind], sources=[], abstained=True, mode=mode)
