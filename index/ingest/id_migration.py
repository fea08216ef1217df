"""Bringing an index built with older article ids to the current ones without re-embedding.

Article ids used to be the path without its suffix, so `story.txt` and `story.md` in one
folder shared the id `story`: one was unfindable and every `newsdesk index` re-embedded
them alternately. Ids now keep the suffix (`id_for_path`). An index written before keeps
its vectors: each chunk under an old id is copied (vector, text, metadata) to its new
chunk id, and only then are the old ids deleted, so a kill in between leaves both copies
(near-identical passages collapse at query time) and the next run finishes the move.
"""

from __future__ import annotations

import json
from typing import Any

from index.ingest.articles import id_for_path
from index.store.chroma import ArticleState, ChunkStore


def legacy_ids(states: dict[str, ArticleState]) -> list[str]:
    """Article ids in the store that are not what their file's path gives today."""
    return [aid for aid, state in states.items() if state.path and aid != id_for_path(state.path)]


def current_view(states: dict[str, ArticleState]) -> dict[str, ArticleState]:
    """The states keyed by today's ids, as they will be after migration (for a dry run)."""
    out: dict[str, ArticleState] = {}
    for aid, state in states.items():
        new = id_for_path(state.path) if state.path else aid
        out.setdefault(new, state)
    return out


def _moved(
    chunk_id: str, old_article: str, new_article: str, meta: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The chunk's id and metadata under its new article id."""
    suffix = chunk_id[len(old_article) :] if chunk_id.startswith(old_article + "#") else f"#{chunk_id}"
    new_id = new_article + suffix
    meta = dict(meta, article_id=new_article)
    node = meta.get("_node_content")
    if isinstance(node, str):  # llama-index's copy of the node, kept consistent
        try:
            data = json.loads(node)
            data["id_"] = new_id
            data.setdefault("metadata", {})["article_id"] = new_article
            meta["_node_content"] = json.dumps(data)
        except (ValueError, TypeError, AttributeError):
            pass
    return new_id, meta


def migrate_ids(store: ChunkStore, states: dict[str, ArticleState]) -> int:
    """Move every chunk stored under a legacy article id to its current id; returns how many.

    Each chunk's own `path` decides its new id (an old `story` may hold chunks of
    `story.txt` or `story.md`). No embedding model is called.
    """
    moved = 0
    for old in legacy_ids(states):
        ids = states[old].all_ids()
        for start in range(0, len(ids), store._batch):
            got = store.collection.get(
                ids=ids[start : start + store._batch], include=["embeddings", "documents", "metadatas"]
            )
            new_ids, metas = [], []
            for cid, meta in zip(got["ids"], got["metadatas"] or []):
                meta = dict(meta or {})
                new_id, new_meta = _moved(cid, old, id_for_path(str(meta.get("path", ""))), meta)
                new_ids.append(new_id)
                metas.append(new_meta)
            if not new_ids:
                continue
            store.collection.upsert(
                ids=new_ids, embeddings=got["embeddings"], documents=got["documents"], metadatas=metas
            )
            store.delete(got["ids"])
            moved += len(new_ids)
    return moved
