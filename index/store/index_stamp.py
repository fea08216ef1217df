"""Whether the index is exactly as the last `newsdesk index` left it.

The file manifest (`file_manifest.py`) can stand for the list of indexed articles only
while nothing else changed the index. So a run that finishes stamps it with what it
left: the active collection, the writer token Chroma holds for it (a fresh token is
stamped on the collection before any write, by any process or machine, see
`ChunkStore.begin_write`), the signature of the keyword index and of the sentence store,
the sentence rules and the chunk settings. A run that is about to write blanks the stamp
first, so one killed half-way leaves none.

The next run computes the same from the files (a few `stat` calls and one read of
Chroma's SQLite file, no chromadb import): equal, and it only has to look at what
differs between the corpus and the manifest; anything else sends it the full way, which
reads what the index holds and brings everything in step again.

On a Chroma server other machines write to the same collection, and each stamps its own
token first, so the token on the server says whether anyone wrote since this machine's
last run: the run asks the server for it (one request) instead of reading the file.
"""

from __future__ import annotations

import json
from typing import Any

from index.settings import Settings
from index.store import lexical
from index.store.chroma import collection_metadata, stored_writer
from index.store.sentences import FILE as SENTENCES_FILE
from index.store.sqlite_file import signature

META_KEY = "in_step_with"


def index_stamp(
    settings: Settings, collection: str, model: str, rules: str, server_writer: str | None = None
) -> str:
    """What the index is now, as a string to compare; "" when that cannot be told (a
    collection no token was stamped on). On a Chroma server the caller passes the token
    it read from the server (`server_writer`; None: not read, so "")."""
    if not collection:
        return ""
    writer = server_writer if settings.chroma_host else stored_writer(settings.chroma_path, collection)
    if not writer or writer == "pending":
        return ""
    parts: dict[str, Any] = {
        "collection": collection,
        "writer": writer,
        "keywords": signature(lexical.path_for(settings.index_dir, collection)),
        "sentences": signature(settings.index_dir / SENTENCES_FILE),
        "rules": rules,
        "mirror": lexical.MIRROR_LAYOUT,  # an index from before it kept vectors goes the full way once
        "settings": collection_metadata(model, settings.chunk_size, settings.chunk_overlap),
    }
    return json.dumps(parts, sort_keys=True)
