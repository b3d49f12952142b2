"""From raw files to a searchable index: import, archive, chunk, embed, FAISS."""
import logging

# faiss's loader logs at INFO each CPU build it tries and cannot load ("No module named
# 'faiss.swigfaiss_avx512_spr'") before the one it uses: alarming noise in every server and
# watch log. Its warnings still show.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)
