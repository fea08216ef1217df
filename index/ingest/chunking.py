"""Sentence-aware chunks of an article, with stable ids and character offsets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import TextNode

from index.ingest.articles import Article

BLOCK_CHARS = 100_000  # longest text handed to the splitter at once (see split_pieces)
# Metadata that is stored with a chunk but neither embedded nor shown to an LLM as text.
_HIDDEN_KEYS = [
    "article_id",
    "title",
    "source",
    "path",
    "url",
    "published",
    "outlet",
    "content_hash",
    "position",
    "n_chunks",
    "start_char",
    "end_char",
]


@lru_cache(maxsize=4)
def _splitter(chunk_size: int, chunk_overlap: int) -> SentenceSplitter:
    from index.embedding.onnx import load_tokenizer, onnx_files

    tokenizer = load_tokenizer(onnx_files()[1], max_tokens=100_000)

    def tokenize(text: str) -> list[int]:
        return list(tokenizer.encode(text, add_special_tokens=False).ids)

    return SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        tokenizer=tokenize,
        paragraph_separator="\n\n",
        include_prev_next_rel=False,
    )


def chunk_id(article: Article, position: int) -> str:
    """Same article content, same id: re-writing a chunk is an idempotent upsert."""
    return f"{article.id}#{article.content_hash[:16]}#{position:04d}"


def _blocks(text: str, limit: int = BLOCK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, block) pieces of at most ~limit characters, cut at a paragraph break where
    there is one (else a sentence end, else a space). Text up to limit is one block."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = limit
        for mark in ("\n\n", ". ", " "):
            found = window.rfind(mark)
            if found > 0:
                cut = found + len(mark)
                break
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def split_pieces(
    article: Article, chunk_size: int, chunk_overlap: int, on_block: Callable[[int], None] | None = None
) -> list[tuple[str, int, int]]:
    """(text, start_char, end_char) of each chunk, in order.

    The splitter tokenises all the text it is given at once (about 150 MB of memory per MB
    of text: a 30 MB file passed 4 GB), so a long article is split in blocks of at most
    BLOCK_CHARS, cut at paragraph breaks; a chunk never spans two blocks. Articles up to
    that size (nearly all) are chunked exactly as before. on_block(chars) reports progress.
    """
    splitter = _splitter(chunk_size, chunk_overlap)
    pieces: list[tuple[str, int, int]] = []
    for offset, block in _blocks(article.text):
        cursor = 0
        for piece in splitter.split_text(block):
            if not piece.strip():
                continue
            local = block.find(piece, cursor)
            if local < 0:  # the splitter normalised whitespace; fall back to a search from 0
                local = max(block.find(piece), 0)
            cursor = max(local + 1, cursor)
            pieces.append((piece, offset + local, offset + local + len(piece)))
        if on_block is not None:
            on_block(len(block))
    return pieces


def make_node(article: Article, position: int, n_chunks: int, piece: tuple[str, int, int]) -> TextNode:
    """One chunk as a node carrying the metadata citations need."""
    text, start, end = piece
    metadata: dict[str, Any] = {
        "article_id": article.id,
        "title": article.title,
        "source": article.source,
        "path": article.path,
        "url": article.url,
        "published": article.published,
        "outlet": article.outlet,
        "content_hash": article.content_hash,
        "position": position,
        "n_chunks": n_chunks,
        "start_char": start,
        "end_char": end,
    }
    return TextNode(
        id_=chunk_id(article, position),
        text=text,
        metadata=metadata,
        excluded_embed_metadata_keys=list(_HIDDEN_KEYS),
        excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
    )


def chunk_article(article: Article, chunk_size: int, chunk_overlap: int) -> list[TextNode]:
    """Split an article into nodes carrying the metadata citations need."""
    pieces = split_pieces(article, chunk_size, chunk_overlap)
    return [make_node(article, position, len(pieces), piece) for position, piece in enumerate(pieces)]
