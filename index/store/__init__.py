"""Where chunks live: Chroma (vectors, the truth), the lexical index, the write lock."""
