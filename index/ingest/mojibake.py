"""UTF-8 text that was once decoded as Windows-1252 and saved again, put right.

Scraped news often carries it: "Russiaâ€™s" for "Russia’s", "â€œ" and "â€" for quotes,
"Ã©" for "é", "Â£" for "£". Left in, "Russiaâ€™s" is one word that no question's
"Russia" matches, and quotes show the garbage. Each run of characters that Windows-1252
maps from UTF-8's lead and continuation bytes is encoded back to those bytes; it is
replaced only when they are valid UTF-8, so ordinary accented text ("SÃO PAULO",
"Ãbo") stays as written.
"""

from __future__ import annotations

import re
import unicodedata

# What Windows-1252 makes of bytes 0x80-0xBF (continuation bytes), beside Latin-1's own.
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CONTINUATION = f"[\u0080-\u00bf{_CP1252_HIGH}]"
# A lead byte (0xC2-0xF4 as Latin-1 letters) then one to three continuation bytes.
_RUN = re.compile(f"(?:[\u00c2-\u00f4]{_CONTINUATION}{{1,3}})+")


def repair(text: str) -> str:
    """The text with mis-decoded UTF-8 runs decoded right; unchanged when there are none."""
    # A reader that turned the undefined byte 0x9D into U+FFFD lost it; "â€" + that byte
    # is all but always the closing quote (E2 80 9D).
    return _RUN.sub(_fixed, text).replace("â€\ufffd", "”")


def _fixed(match: re.Match[str]) -> str:
    run = match.group()
    try:
        fixed = _as_bytes(run).decode("utf-8")
    except UnicodeError:  # not bytes of UTF-8 after all
        return run
    # Control characters (U+0080-U+009F) are never what a writer typed: no mojibake then.
    return run if any(unicodedata.category(ch) == "Cc" for ch in fixed) else fixed


def _as_bytes(run: str) -> bytes:
    """The bytes a Windows-1252 decoder read the run from (bytes it leaves undefined,
    0x81 0x8D 0x8F 0x90 0x9D, come through as the same code points, as browsers do)."""
    out = bytearray()
    for ch in run:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += ch.encode("latin-1")  # raises for anything else: no such run
    return bytes(out)
