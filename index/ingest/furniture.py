"""What on a news page is furniture, not reporting: the words around an article that an
answer must never quote.

Two levels, because they are treated differently:

- lines that carry nothing (`is_furniture_line`): share buttons, newsletter prompts,
  cookie banners, a video player's "Media playback is not supported on this device", a
  photo's "Image copyright PA" and caption, a wire's "Our Standards: ..." trailer. Reading
  drops them, so they are neither embedded nor quoted;
- sentences that name who made the article or when it was posted (`is_credit`): "Reporting
  by Alex Lawler in London; Editing by Jason Neely", "CNN's John Smith contributed to this
  report.", "By Jane Doe and John Roe, CNN", "PUBLISHED: 10:09 EST, 28 January 2013",
  "(AP Photo/Evan Vucci)". They stay in the text (a byline's date is where a page says when
  it appeared, see `index.dates.date_in_text`) but are never quoted: for "who said ..."
  their names would otherwise look like answers.

Each rule wants the whole line or sentence to have the furniture's shape, so a sentence of
reporting that starts the same way ("Research by the institute found ...", "By Tuesday
the army had withdrawn") is kept.
"""

from __future__ import annotations

import re

from index.dates import MONTH_NAME

_LINES = re.compile(
    r"^(?:newsletter|must read|more articles|latest articles?|related articles?|read more|"
    r"leave a reply:?|leave a comment:?|advertisement|share( this( article)?)?:?|"
    r"subscribe( now)?|sign up( for our newsletter)?|follow us( on \w+)?|comments?|"
    r"print|email|tweet|skip to (main )?content|\.|[-–—*•]+|"
    r"e-?mail (this )?to a friend|copy link|listen to (this )?(article|story)|"
    r"\d{1,2} min(ute)?s? read|"
    r"media playback is (not supported|unsupported) on (this|your) device|"
    r"our standards: the (thomson )?reuters trust principles\.?|"
    r"live|live updates|breaking|breaking news|exclusive|analysis|opinion|explainer|developing story|"
    r"related (?:topics|stories|content|links|coverage)|more on this (?:story|topic)|more stories|"
    r"top stories|most (?:read|popular|viewed|watched)|you (?:may|might) also like|"
    r"recommended(?: for you)?|trending(?: now)?)$",
    re.IGNORECASE,
)
# Pointers to other pages, promotions and page notes, as a line of their own: "Related:
# Water firms could face unlimited fines" (another story's headline, not a fact of this
# one), "Read more: ...", "Watch: ...", "Sign up to Down to Earth, our free weekly
# environment newsletter", "Follow Zoe on Twitter @zsk", "Story continues below
# advertisement", "Copyright 2022 The Associated Press. All rights reserved.", "This article
# was amended on 18 February 2023 to correct ...".
_PROMO_LINE = re.compile(
    r"^(?:(?:related|read more|read also|also read|more|see also|watch|listen|recommended|most read|"
    r"more on this story|more from [\w ]{1,30})\s*[:|»>]\s*\S.{0,200}|"
    r"(?:sign up|subscribe)\b.{0,120}\b(?:newsletters?|inbox|briefings?|alerts?|updates|posts)\b.{0,60}|"
    r"follow\s.{1,60}\bon (?:twitter|x|instagram|facebook|linkedin|tiktok|threads|bluesky|mastodon)\b.{0,40}|"
    r"(?:skip past|after) newsletter promotion|advertisement\W{1,4}scroll to continue|"
    r"story continues (?:below|after)(?: (?:this )?advertisement)?|continue reading(?: the main story| below)?|"
    r"explore more on these topics|(?:copyright|©|\(c\))\s*(?:\d{4}\b.{0,300})?|"
    r"(?:\S+\s+){0,6}all rights reserved\.?|"
    r"this (?:story|article|report|piece) (?:has been|was|is being) (?:updated|amended|corrected|changed)\b.{0,300}|"
    r"this is a breaking news update\.?|.{0,30}\bearlier story (?:follows|is below)\b.{0,20})$",
    re.IGNORECASE,
)
# A photo's credit and caption as their own line ("Image copyright Getty Images",
# "Image caption Commuters faced delays", "Image source, PA Media").
_IMAGE_LINE = re.compile(r"^image (copyright|caption|source)\b[ ,:]", re.IGNORECASE)
# Cookie and consent banners: one line that talks about cookies and accepting them.
_COOKIE_LINE = re.compile(r"\bcookies?\b.*\b(accept|opt[- ]out|consent|privacy)\b", re.IGNORECASE)
# Scraped markup: the tail of an <img src="..."> that lost its head (tags: html_tags).
_ORPHAN_ATTR_TAIL = re.compile(
    r"^\S*\.(?:webp|jpe?g|png|gif|svg|avif)\"?(?:\s+[\w-]+=\"[^\"]*\")*\s*/?>\s*$",
    re.IGNORECASE,
)


def is_furniture_line(line: str) -> bool:
    """Whether a whole stripped line of a page is furniture that reading drops."""
    return bool(
        _LINES.match(line)
        or _PROMO_LINE.match(line)
        or (_IMAGE_LINE.match(line) and len(line) < 300)
        or _ORPHAN_ATTR_TAIL.match(line)
        or (_COOKIE_LINE.search(line) and len(line) < 400)
    )


_ROLES = (
    r"(?:(?:additional|further|extra|contributing) )?(?:reporting|writing|editing|compiled|"
    r"research|graphics?|design|production|produced|translation|translated|fact[- ]checking|"
    r"photos?|photographs?|photography|video|illustrations?|data)"
)
# "Reporting by A in London; Additional reporting by B; Editing by C": each clause a role,
# "by" and names. Names are the capitalised words; "in", "and" and places are allowed.
_CREDIT_CLAUSE = re.compile(rf"^\s*{_ROLES}(?: and {_ROLES})? by\s+(?P<names>.+)$", re.IGNORECASE)
# "CNN's Jane Doe contributed to this report.", "Reuters staff contributed reporting.";
# a bare "contributed." only after a newsroom role ("AP writer Jane Doe contributed.").
_CONTRIBUTED = re.compile(
    r"(?:\bcontributed (?:reporting|writing|research|(?:to|for) (?:this|the) (?:report|story|article))|"
    r"\b(?:writers?|reporters?|correspondents?|staff|producers?|editors?)\b.*\bcontributed)\s*\.?\s*$",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(
    r"(?:\((?:[A-Z]{2,8} )?(?:photo|image|picture|file photo)s?(?:\s*/\s*[^)]{1,60})?\)|"
    r"(?:/|\b(?:photo|image|picture)s?:\s*[^.]{0,60}/\s*)(?:getty images|afp|reuters|ap|epa(?:-efe)?|"
    r"shutterstock|pa(?: media| wire)?|alamy|bloomberg|xinhua)\)?)\s*\.?\s*$",
    re.IGNORECASE,
)


# A credit line labelled by what it credits: "Photograph: Sandra Laville/The Guardian",
# "Illustration: Guardian Design", "Composite: Guardian Design; Getty Images".
_CREDIT_LABEL = re.compile(
    r"^(?:photograph|photo|picture|image|illustration|composite|graphic|video|animation|artwork)s?"
    r"(?: by)?\s*:\s*\S",
    re.IGNORECASE,
)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# A newsroom role after a byline's names ("By Zoe Kleinman, Technology editor") or as the
# line itself ("Transport correspondent, BBC News"); up to two words may say which desk.
_ROLE_NOUNS = _set(
    "editor editors correspondent correspondents reporter reporters writer writers columnist "
    "analyst producer journalist contributor"
)
_DESK_WORDS = 2


_STAMPED = _set("published updated posted modified")
_CLOCK = _set("am pm a.m p.m est edt cst cdt pst pdt gmt bst utc et ct pt cet cest ist jst aest")
_MONTH = re.compile(rf"{MONTH_NAME}$")
_DAYS = _set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat sun"
)
# "Published 3 hours ago": a page's time as the reader's clock saw it
_AGO = _set("ago hour hours hr hrs minute minutes min mins second seconds secs day days week weeks")
_STAMP_WORDS = _STAMPED | _CLOCK | _DAYS | _set("last on at by | and")
_LINKING = frozenset(
    {"in", "and", "from", "at", "of", "for", "with", "the", "by", "&", "de", "van", "von", "da"}
)
_TOKEN = re.compile(r"[^\W\d_][\w.'’-]*|\d[\d:.,/]*|[|&]", re.UNICODE)


def is_credit(sentence: str) -> bool:
    """Whether a sentence credits the article's makers or stamps its time: never quoted."""
    raw = sentence.strip()
    text = raw.strip("()[]").strip()
    if not text:
        return False
    clauses = [c for c in re.split(r"\s*[;|]\s*", text.rstrip(".")) if c]
    if clauses and all(_credit_clause(c) for c in clauses):
        return True
    if (  # "By Jane Doe | 2 days ago"
        len(clauses) > 1
        and _byline(_TOKEN.findall(clauses[0]))
        and all(_credit_clause(c) or _is_stamp(_TOKEN.findall(c)) for c in clauses[1:])
    ):
        return True
    words = _TOKEN.findall(text)
    if _CONTRIBUTED.search(text) and len(words) <= 30:
        return True
    if _PHOTO_CREDIT.search(raw) and len(words) <= 60:
        return True
    if _CREDIT_LABEL.match(text) and len(words) <= 15:
        return True
    if _byline(words):
        return True
    if 1 < len(words) <= 10 and any(w.lower() in _ROLE_NOUNS for w in words) and _names_only(words):
        return True
    return _is_stamp(words)


# A prompt to follow the outlet, as a sentence of its own: "Follow BBC Yorkshire on
# Facebook, X and Instagram." (a page's trailer often adds "Send your story ideas to ..."
# on the same line, so the line rule in `_PROMO_LINE` does not see it).
_PLATFORM = r"(?:twitter|x|instagram|facebook|linkedin|tiktok|threads|bluesky|mastodon|youtube|whatsapp)"
_FOLLOW = re.compile(
    rf"^follow\s+(?:\S+\s+){{0,6}}?on\s+{_PLATFORM}(?:\s*(?:,|and|&|or)\s*{_PLATFORM})*"
    r"(?:\s+(?:at\s+)?@\w+)?(?:\s+for\s+(?:more|updates|the latest)\b[^.]{0,40})?\s*\.?$",
    re.IGNORECASE,
)


def is_promotion(sentence: str) -> bool:
    """Whether a sentence asks the reader to follow the outlet: never quoted."""
    return bool(_FOLLOW.match(sentence.strip()))


def _byline(words: list[str]) -> bool:
    """ "By" and names: "By Jane Doe and John Roe, CNN"."""
    return bool(words) and words[0].lower() == "by" and 1 < len(words) <= 14 and _names_only(words[1:])


def _credit_clause(clause: str) -> bool:
    m = _CREDIT_CLAUSE.match(clause)
    return m is not None and _names_only(_TOKEN.findall(m.group("names")))


def _names_only(words: list[str]) -> bool:
    """Capitalised words (names, places, outlets), with linking words between them, and
    newsroom roles ("economics correspondent")."""
    lower = [w.lower().rstrip(".,") for w in words]
    roles = [k for k, w in enumerate(lower) if w in _ROLE_NOUNS]
    desk = {k - d for k in roles for d in range(_DESK_WORDS + 1)}  # the role and its desk words
    return (
        bool(words)
        and all(
            w[0].isupper()
            or k in desk
            or w.lower() in _LINKING
            or _stamp_word(w.lower().rstrip("."))
            or w[0].isdigit()
            for k, w in enumerate(words)
        )
        and any(w[0].isupper() for w in words)
    )


def _is_stamp(words: list[str]) -> bool:
    """A time and date with nothing else, said to be one ("Updated 10:10 EST, 28 January
    2013", "10:09 EST, 28 January 2013"): a table row of dates and figures is not."""
    if not words or not any(w[0].isdigit() for w in words):
        return False
    plain = [w.lower().rstrip(".:") for w in words]
    if not all(w[0].isdigit() or _stamp_word(w) or w in _AGO for w in plain):
        return False
    return (
        bool(_STAMPED & set(plain))
        or "ago" in plain
        or (bool(_CLOCK & set(plain)) and any(_MONTH.match(w) for w in plain))
    )


def _stamp_word(word: str) -> bool:
    return word in _STAMP_WORDS or bool(_MONTH.match(word))
