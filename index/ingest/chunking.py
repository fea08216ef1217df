"""Chunks of an article made of whole sentences (spaCy's), with stable ids and offsets.

Sentences are packed in order until the next one would pass `chunk_size` tokens of the
embedding model's tokenizer; the next chunk repeats trailing sentences of the previous one
that fit in `chunk_overlap` tokens. A sentence longer than a chunk is cut at token
boundaries. Every chunk is an exact slice of the article's text, so a sentence's tokens
in the embedding pass give its own vector (see `index.ingest.sentence_data`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from llama_index.core.schema import TextNode

from index.dates import date_metadata
from index.ingest.articles import Article
from index.ingest.nlp import Annotation
from index.store.chroma import chunk_id as store_chunk_id

# Metadata that is stored with a chunk but neither embedded nor shown to an LLM as text.
_HIDDEN_KEYS = [
    "article_id",
    "title",
    "source",
    "path",
    "url",
    "published",
    "outlet",
    "outlet_key",
    "published_day",
    "author",
    "content_hash",
    "position",
    "n_chunks",
    "start_char",
    "end_char",
]
CHUNKER_VERSION = "sentences-1"  # stored with the collection: another chunker needs --full


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from index.embedding.onnx import load_tokenizer, onnx_files

    return load_tokenizer(onnx_files()[1], max_tokens=1_000_000)


def _pieces_of(text: str, start: int, end: int, limit: int) -> list[tuple[int, int, int]]:
    """(start, end, tokens) of a sentence, cut into runs of at most `limit` tokens."""
    enc = _tokenizer().encode(text[start:end], add_special_tokens=False)
    spans = [(a, b) for a, b in enc.offsets if b > a]
    if len(spans) <= limit:
        return [(start, end, len(spans))]
    out = []
    for i in range(0, len(spans), limit):
        run = spans[i : i + limit]
        out.append((start + run[0][0], start + run[-1][1], len(run)))
    return out


def split_pieces(
    article: Article, annotation: Annotation, chunk_size: int, chunk_overlap: int
) -> list[tuple[str, int, int]]:
    """(text, start_char, end_char) of each chunk, in order."""
    text = article.text
    units: list[tuple[int, int, int]] = []
    counts = _tokenizer().encode_batch([text[a:b] for a, b in annotation.sentences], add_special_tokens=False)
    for (a, b), enc in zip(annotation.sentences, counts):
        n = sum(1 for x, y in enc.offsets if y > x)
        units.extend([(a, b, n)] if n <= chunk_size else _pieces_of(text, a, b, chunk_size))
    chunks: list[tuple[int, int]] = []
    current: list[tuple[int, int, int]] = []
    size = 0
    for unit in units:
        if current and size + unit[2] > chunk_size:
            chunks.append((current[0][0], current[-1][1]))
            carried: list[tuple[int, int, int]] = []
            for prev in reversed(current):
                if sum(u[2] for u in carried) + prev[2] > chunk_overlap or prev[2] + unit[2] > chunk_size:
                    break
                carried.insert(0, prev)
            current, size = carried, sum(u[2] for u in carried)
        current.append(unit)
        size += unit[2]
    if current:
        chunks.append((current[0][0], current[-1][1]))
    return [(text[a:b], a, b) for a, b in chunks]


def chunk_id(article: Article, position: int) -> str:
    return store_chunk_id(article.id, article.content_hash, position)


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
        **date_metadata(article.published, article.outlet),  # what date/outlet filters compare
    }
    if article.author:
        metadata["author"] = article.author
    return TextNode(
        id_=chunk_id(article, position),
        text=text,
        metadata=metadata,
        excluded_embed_metadata_keys=list(_HIDDEN_KEYS),
        excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
    )


def chunk_article(
    article: Article, chunk_size: int, chunk_overlap: int, annotation: Annotation | None = None
) -> list[TextNode]:
    """Split an article into nodes carrying the metadata citations need."""
    if annotation is None:
        from index.ingest.nlp import annotate

        annotation = next(annotate([article.text]))
    pieces = split_pieces(article, annotation, chunk_size, chunk_overlap)
    return [make_node(article, position, len(pieces), piece) for position, piece in enumerate(pieces)]
