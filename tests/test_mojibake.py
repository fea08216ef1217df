"""UTF-8 once mis-decoded as Windows-1252 ("Russiaâ€™s") read as what was written, and
accented text that only looks like it left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest.articles import decode, parse_article
from index.ingest.mojibake import repair

SEEDS = Path(__file__).resolve().parent.parent / "corpus"


def mangled(text: str) -> str:
    """What a Windows-1252 reader makes of UTF-8 (undefined bytes as their code points)."""
    undefined = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    return "".join(chr(b) if b in undefined else bytes([b]).decode("cp1252") for b in text.encode("utf-8"))


@pytest.mark.parametrize(
    ("text", "right"),
    [
        ("Russiaâ€™s army", "Russia’s army"),
        ("â€œWe will fight,â€\x9d she said â€” twice.", "“We will fight,” she said — twice."),
        ("Â£5 million for the Ã‰cole in SÃ¨te", "£5 million for the École in Sète"),
        ("â€œFully back to normalâ€\ufffd by Friday", "“Fully back to normal” by Friday"),  # 0x9D lost
        # accented text that is not mojibake stays as written
        ("SÃO PAULO, Brazil", "SÃO PAULO, Brazil"),
        ("Ãbo Akademi and a naïve café", "Ãbo Akademi and a naïve café"),
    ],
)
def test_mis_decoded_runs_are_put_right(text: str, right: str) -> None:
    assert repair(text) == right


def test_the_seed_articles_come_back_whole_from_mojibake() -> None:
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5
    for path in files:
        text = decode(path.read_bytes())
        assert "’" in text or "“" in text  # each has something to mangle
        assert mangled(text) != text
        assert (
            parse_article(path.name, mangled(text).encode()).text
            == parse_article(path.name, path.read_bytes()).text
        )
