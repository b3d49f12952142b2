"""From raw files to a searchable index: import, archive, chunk, embed, FAISS."""
