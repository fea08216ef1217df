"""Sentence-aware chunks of an article, with stable ids and character offsets."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import TextNode

from index.ingest.articles import Article

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


def chunk_article(article: Article, chunk_size: int, chunk_overlap: int) -> list[TextNode]:
    """Split an article into nodes carrying the metadata citations need."""
    pieces = [p for p in _splitter(chunk_size, chunk_overlap).split_text(article.text) if p.strip()]
    nodes: list[TextNode] = []
    cursor = 0
    for position, piece in enumerate(pieces):
        start = article.text.find(piece, cursor)
        if start < 0:  # the splitter normalised whitespace; fall back to a search from 0
            start = max(article.text.find(piece), 0)
        end = start + len(piece)
        cursor = max(start + 1, cursor)
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
            "n_chunks": len(pieces),
            "start_char": start,
            "end_char": end,
        }
        nodes.append(
            TextNode(
                id_=chunk_id(article, position),
                text=piece,
                metadata=metadata,
                excluded_embed_metadata_keys=list(_HIDDEN_KEYS),
                excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
            )
        )
    return nodes
