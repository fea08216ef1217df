"""Reading the corpus and writing the index: files -> articles -> chunks -> store."""
