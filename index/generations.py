"""Index generations on disk: write, verify, publish and load them.

An index generation is a directory ``<data>/index/<generation>/`` holding ``vectors.faiss``,
``ids.npy`` (the chunk ids it contains, sorted), ``facets.npz`` (the filter columns of the same
chunks), for the compressed index types ``exact_vectors.npy`` (the chunks' float32 vectors,
rows aligned to ``ids.npy``, memory-mapped to re-score candidates) and ``manifest.json``
(model, dimension, chunker settings, index type and search parameters, counts, checksums).
``<data>/index/CURRENT`` names the live generation and is swapped with ``os.replace`` only after
the generation is complete, so a reader never sees a half-written index and a killed build
leaves the old one live. The index itself is made and searched by faiss_index.py.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .chunk import chunker_config
from .errors import DatelineError
from .faiss_index import check_vectors, rescored_search, search, set_search_params
from .facets import FILENAME as FACETS_FILE
from .facets import Facets
from .files import fsync_dir, read_pointer, write_atomically
from .replica import is_snapshot

if TYPE_CHECKING:
    import faiss

    from .embed import Embedder

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
POINTER = "CURRENT"  # in index/: the name of the live generation
# Generation names are UTC times (new_generation_name); any name of these characters is read,
# so that a pointer can never lead out of index/.
_GENERATION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# The files a generation may hold besides verified.json, which readers rewrite: what stamps watch.
# The exact vectors of a compressed index's chunks (float32 .npy, rows aligned to ids.npy).
EXACT_FILE = "exact_vectors.npy"
GENERATION_FILES = ("manifest.json", "vectors.faiss", "ids.npy", FACETS_FILE, EXACT_FILE)
VERIFIED_FILE = "verified.json"  # in a generation: its files' stamps when they last matched their checksums
_HASH_BLOCK = 1 << 22  # bytes read at a time when hashing a generation's files (4 MiB)
# Loading the live generation is retried this often: each publish between reading CURRENT and
# loading the generation it named removes that generation.
_OPEN_ATTEMPTS = 3


def index_root(data_dir: str | Path) -> Path:
    """Return the folder of index generations in ``data_dir``."""
    return Path(data_dir) / "index"


def current_generation(data_dir: str | Path) -> str | None:
    """Return the live generation named by ``index/CURRENT``, or None when none is published.

    Cheap (one small file read): servers call it to notice a new publish. The pointer is read
    defensively: content that cannot be a generation's name (not UTF-8, too long, a path)
    raises DatelineError ``bad_index`` (503) saying that `dateline index` publishes a fresh one.
    """
    try:
        name = read_pointer(index_root(data_dir) / POINTER)
    except ValueError as e:
        raise _bad_pointer(data_dir, str(e)) from None
    if not name:
        return None
    if not _GENERATION_NAME.fullmatch(name):
        raise _bad_pointer(data_dir, f"{name[:40]!r} is not a generation name")
    return name


def _bad_pointer(data_dir: str | Path, why: str) -> DatelineError:
    """Return the error for a damaged ``index/CURRENT``: 503, naming the repair."""
    return DatelineError(f"the index pointer index/CURRENT is damaged ({why}): run `dateline index` to publish a "
                         "fresh one", code="bad_index", status=503, detail=str(index_root(data_dir) / POINTER))


def generations_on_disk(data_dir: str | Path) -> list[str]:
    """Return the names of the complete generations in ``index/`` (those with a manifest), newest first."""
    root = index_root(data_dir)
    try:
        names = [p.name for p in root.iterdir()
                 if _GENERATION_NAME.fullmatch(p.name) and (p / "manifest.json").is_file()]
    except OSError:
        return []
    return sorted(names, reverse=True)


def new_generation_name() -> str:
    """Return a fresh, sortable generation name (UTC time with microseconds)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def generation_ids(data_dir: str | Path, generation: str | None) -> np.ndarray:
    """Return the chunk ids a generation holds (empty when there is none or it is unreadable)."""
    try:
        with open(index_root(data_dir) / str(generation) / "ids.npy", "rb") as f:
            return np.load(f)
    except (OSError, ValueError):
        return np.zeros(0, dtype=np.int64)


def _sha256(path: Path) -> str:
    """Return the hex sha256 of a file, read a block at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_HASH_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> list[int]:
    """What changes when a file is written, replaced or copied: size, times, inode."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _write_verified(folder: Path, stamps: dict[str, tuple[str, list[int]]]) -> None:
    """Record that the files of ``folder`` matched their checksums with these stamps (name ->
    (checksum, stamp taken before hashing)), so that later loads skip hashing them. Best
    effort: where it cannot be written, loads just hash again."""
    if is_snapshot(folder.parent.parent):  # a replica writes nothing in the snapshot it reads
        return
    record = {name: {"checksum": checksum, "stamp": stamp} for name, (checksum, stamp) in stamps.items()}
    try:
        write_atomically(folder / VERIFIED_FILE, lambda p: p.write_text(json.dumps(record), encoding="utf-8"))
    except OSError as e:
        log.info("cannot record verified checksums in %s: %s", folder, e)


def _verify(folder: Path, checksums: dict[str, str], *, trust_stamps: bool = True,
            missing_ok: bool = False) -> str | None:
    """Return what is wrong with the first damaged (or, unless ``missing_ok``, missing) file of
    ``folder``, or None.

    A file whose stamp (size, times, inode) is what it was when last found matching is not
    hashed again: at 1M chunks hashing costs about a second per server worker per publish. Any
    write, replacement or copy changes the stamp, and the file is hashed again. Without
    ``trust_stamps`` (`dateline check`) every file is hashed.
    """
    try:
        verified = json.loads((folder / VERIFIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        verified = {}
    stamps, hashed = {}, False
    for name, expected in checksums.items():
        try:
            before = _stamp(folder / name)
            stamps[name] = (expected, before)
            seen = verified.get(name) if isinstance(verified, dict) and trust_stamps else None
            if isinstance(seen, dict) and seen.get("checksum") == expected and seen.get("stamp") == before:
                continue
            hashed = True
            if "sha256:" + _sha256(folder / name) != expected:
                return f"{name} does not match its checksum"
            if _stamp(folder / name) != before:  # written while being hashed: check it again next time
                stamps.pop(name)
        except FileNotFoundError:
            if not missing_ok:
                return f"{name} is missing"
    if hashed:
        _write_verified(folder, stamps)
    return None


def generation_stamp(data_dir: str | Path, generation: str) -> tuple:
    """Return the stamps of a generation's files (None for a missing one): any write to them,
    in place or by replacement, changes it. A few stat calls: servers take it between requests."""
    folder = index_root(data_dir) / generation
    stamps = []
    for name in GENERATION_FILES:
        try:
            stamps.append(tuple(_stamp(folder / name)))
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def index_state(data_dir: str | Path) -> tuple:
    """Return what changes whenever the live index on disk does: the pointer's stamp and content,
    and the stamps of the files of the generation it names. Never raises for damage."""
    path = index_root(data_dir) / POINTER
    try:
        pointer = tuple(_stamp(path))
    except OSError:
        return (None,)
    try:
        name = current_generation(data_dir)
    except DatelineError as e:
        return (pointer, e.message)
    return (pointer, name, generation_stamp(data_dir, name) if name else None)


def changed_in_place(data_dir: str | Path, live: "LiveIndex") -> str | None:
    """Return what is wrong with the files of the loaded generation ``live``, re-hashing those
    whose stamps changed; None when they still match their checksums.

    A file that is gone is not damage: a publish removes old generations, and what a server
    mapped from a removed file stays readable until it lets go of it.
    """
    return _verify(index_root(data_dir) / live.generation, live.manifest.get("checksums", {}), missing_ok=True)


def check_index(data_dir: str | Path, *, full: bool = False) -> tuple[str | None, list[str]]:
    """Check the live index: return (its generation, what is wrong with it).

    Its files are hashed against the manifest's checksums where their stamps changed since they
    last matched, or, with ``full`` (`dateline check`), all of them. No index yet is nothing wrong.
    """
    try:
        name = current_generation(data_dir)
    except DatelineError as e:
        return None, [e.message]
    if name is None:
        return None, []
    try:
        manifest = read_manifest(data_dir, name)
    except DatelineError as e:
        return name, [e.message]
    damage = _verify(index_root(data_dir) / name, manifest.get("checksums", {}), trust_stamps=not full)
    return name, [f"index generation {name}: {damage}: run `dateline index` to build a sound one"] if damage else []


def _save_ids(path: Path, ids: np.ndarray) -> None:
    """Write ``ids`` to ``path`` in numpy's .npy format."""
    with open(path, "wb") as f:
        np.save(f, ids)


def _write_index(path: Path, index: "faiss.Index") -> None:
    """Write ``index`` to ``path`` through a Python file: a full disk then raises OSError with its
    errno, where faiss's own writer raises a RuntimeError that only quotes it."""
    import faiss

    with open(path, "wb") as f:
        faiss.write_index(index, faiss.PyCallbackIOWriter(f.write))


def _move_exact_vectors(folder: Path, source: Path, ids: np.ndarray, dim: int) -> None:
    """Move the exact vectors file ``source`` (written by the build) into ``folder``, durably,
    after checking it holds one ``dim``-wide float32 row per id."""
    stored = np.load(source, mmap_mode="r")
    if stored.dtype != np.float32 or stored.shape != (len(ids), dim):
        raise RuntimeError(f"the exact vectors file holds {stored.dtype} {stored.shape}, the index {len(ids)} x {dim}")
    del stored
    with open(source, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(source, folder / EXACT_FILE)


def _write_files(folder: Path, index: "faiss.Index", ids: np.ndarray, facets: Facets | None,
                 exact_vectors: Path | None = None) -> list[str]:
    """Write the index, its ids, the filter columns and (moved in) the exact vectors into
    ``folder``; return the file names."""
    write_atomically(folder / "vectors.faiss", lambda p: _write_index(p, index), durable=True)
    write_atomically(folder / "ids.npy", lambda p: _save_ids(p, ids), durable=True)
    files = ["vectors.faiss", "ids.npy"]
    if exact_vectors is not None:
        _move_exact_vectors(folder, Path(exact_vectors), ids, int(index.d))
        files.append(EXACT_FILE)
    if facets is not None:
        if not np.array_equal(facets.ids, ids):
            raise RuntimeError("the filter columns describe other chunks than the index holds")
        write_atomically(folder / FACETS_FILE, facets.save, durable=True)
        files.append(FACETS_FILE)
    return files


def write_generation(data_dir: str | Path, index: "faiss.Index", ids: np.ndarray,
                     manifest: dict, facets: Facets | None = None, exact_vectors: Path | None = None) -> str:
    """Write a complete generation directory (not yet live); return its name.

    ``manifest`` gets the generation name, counts and the files' checksums added; ``facets``,
    the filter columns of the same chunks, are written beside the index. ``exact_vectors``, a
    float32 .npy file of the vectors of ``ids`` in order (a compressed index re-scores from it),
    is moved in: at 10M chunks it is 15 GB, too much to copy.
    """
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    generation = new_generation_name()
    folder = root / generation
    folder.mkdir()
    try:
        ids = np.sort(np.asarray(ids, dtype=np.int64))
        if len(ids) != index.ntotal:
            raise RuntimeError(f"index holds {index.ntotal} vectors but {len(ids)} ids were given")
        if exact_vectors is not None and not np.all(ids[1:] > ids[:-1]):
            raise RuntimeError("the exact vectors need distinct ids, sorted as their rows are")
        files = _write_files(folder, index, ids, facets, exact_vectors)
        manifest = dict(manifest, format=MANIFEST_FORMAT, generation=generation,
                        created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        manifest.setdefault("counts", {})["vectors"] = int(index.ntotal)
        manifest["checksums"] = {name: "sha256:" + _sha256(folder / name) for name in files}
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        write_atomically(folder / "manifest.json", lambda p: p.write_text(text, encoding="utf-8"), durable=True)
        # Just hashed: readers need not hash these files again while their stamps hold.
        _write_verified(folder, {name: (checksum, _stamp(folder / name))
                                 for name, checksum in manifest["checksums"].items()})
        fsync_dir(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # half a generation is no use, and on a full disk it is in the way
        raise
    return generation


def publish(data_dir: str | Path, generation: str) -> None:
    """Make ``generation`` live by atomically replacing ``index/CURRENT``, then drop old ones.

    The generation that was live stays on disk (a reader may be about to open it); older ones
    and leftovers of killed builds are removed. Call with the build lock held.
    """
    root = index_root(data_dir)
    if not (root / generation / "manifest.json").is_file():
        raise RuntimeError(f"generation {generation} is incomplete")
    try:
        previous = current_generation(data_dir)
    except DatelineError as e:
        # Servers may still hold what the pointer named before it was damaged: most likely the
        # newest generation before this one, which is kept in its place.
        previous = next((g for g in generations_on_disk(data_dir) if g != generation), None)
        log.info("%s; publishing %s over it", e.message, generation)
    write_atomically(root / POINTER, lambda p: p.write_text(generation + "\n", encoding="utf-8"), durable=True)
    fsync_dir(root)
    log.info("published index generation %s (previous %s)", generation, previous)
    keep = {generation, previous}
    for path in root.iterdir():
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


@dataclass
class LiveIndex:
    """A loaded index generation.

    >>> from dateline.index.embed import load_embedder
    >>> embedder = load_embedder()
    >>> live = open_live("./dateline-data", embedder)
    >>> live.search(embedder.encode_query("oil prices")[None, :], k=5)[0][:1]
    [(1234, 0.71)]
    """

    generation: str
    manifest: dict
    index: "faiss.Index"
    ids: np.ndarray = field(repr=False)  # sorted chunk ids held by the index
    path: Path | None = None
    facets: Facets | None = field(default=None, repr=False)  # filter columns of the same chunks
    mapped: bool = False  # read-only, mapped from its file: adding or removing vectors would crash
    # A compressed index's exact vectors, mapped read-only from EXACT_FILE, rows aligned to ``ids``.
    stored: np.ndarray | None = field(default=None, repr=False)

    @property
    def ntotal(self) -> int:
        """Return how many vectors the index holds."""
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        """Return the vectors' dimension."""
        return int(self.index.d)

    @property
    def exact(self) -> bool:
        """Whether a search scores every vector it may return (a flat index), filtered or not."""
        return self.manifest.get("index_type") == "flat"

    def search(self, queries: np.ndarray, k: int, among: np.ndarray | None = None,
               probe_share: float = 1.0) -> list[list[tuple[int, float]]]:
        """Return, per query row, up to ``k`` (chunk_id, inner-product score) pairs, best first.

        ``queries`` is an (n, dim) float32 array of unit vectors (``Embedder.encode_query(q)[None]``
        for one). ``among``, a boolean mask over ``ids``, restricts the search to those chunks.
        ``probe_share`` narrows an IVF index's search (faiss_index.search). Slots the index could
        not fill (id -1) are dropped.
        """
        queries = check_vectors(queries, self.dim)
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise DatelineError(f"k must be a positive integer, got {k!r}")
        if self.ntotal == 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        k = int(min(k, self.ntotal))
        keep = None
        if among is not None:
            keep = np.zeros(int(self.ids[-1]) + 1, dtype=bool)
            keep[self.ids[among]] = True
        rerank = self.manifest.get("search", {}).get("rerank")
        if self.stored is not None and rerank:
            scores, found = rescored_search(self.index, self.stored, self.ids, queries, k, rerank, keep, probe_share)
        else:
            scores, found = search(self.index, queries, k, keep, probe_share)
        return [[(int(i), float(s)) for i, s in zip(row_ids, row_scores) if i >= 0]
                for row_ids, row_scores in zip(found, scores)]


def read_manifest(data_dir: str | Path, generation: str) -> dict:
    """Return a generation's manifest; DatelineError (503) saying what to run when it is missing or unreadable."""
    folder = index_root(data_dir) / generation
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatelineError(f"index generation {generation}, named by index/CURRENT, is missing: run `dateline index`",
                            code="no_index", status=503, detail=str(folder)) from None
    except (OSError, ValueError) as e:  # ValueError: not UTF-8, not JSON
        raise DatelineError(f"index generation {generation}: unreadable manifest ({e}): run `dateline index`",
                            code="bad_index", status=503, detail=str(folder)) from None
    if not isinstance(manifest, dict):
        raise DatelineError(f"index generation {generation}: its manifest is not a JSON object: run `dateline index`",
                            code="bad_index", status=503, detail=str(folder))
    return manifest


def _read_facets(folder: Path, generation: str) -> Facets | None:
    """Return a generation's filter columns, or None where it has none or they are unreadable.

    Generations written before the filter columns existed (or with an older layout of them)
    search filtered without them.
    """
    if not (folder / FACETS_FILE).is_file():
        return None
    try:
        return Facets.load(folder / FACETS_FILE)
    except (KeyError, ValueError, OSError) as e:
        log.warning("index generation %s: filter columns unreadable (%s); filtering in SQLite", generation, e)
        return None


def load_generation(data_dir: str | Path, generation: str, *, verify: bool = True,
                    mmap: bool = False) -> LiveIndex:
    """Load one generation from disk, checking its files against the manifest's checksums.

    ``mmap`` maps the vectors (and an IVF index's lists) from the file instead of copying them
    into the process: read-only, but shared through the page cache by every process that
    serves the generation (at 1M chunks, 26 MB private memory per process instead of 1.5 GB;
    see benchmarks/load.py). The build loads without it, since it edits its copy.
    """
    import faiss

    folder = index_root(data_dir) / generation
    manifest = read_manifest(data_dir, generation)
    if verify:
        damage = _verify(folder, manifest.get("checksums", {}))
        if damage:
            raise DatelineError(f"index generation {generation} is damaged ({damage}): run `dateline index` "
                                "to build a sound one", code="bad_index", status=503, detail=str(folder))
    # A published generation's files never change (a new one is written beside it), and on
    # POSIX a mapped file that a later publish removes stays readable until it is unmapped.
    index = faiss.read_index(str(folder / "vectors.faiss"), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
    set_search_params(index, manifest.get("search", {}))
    with open(folder / "ids.npy", "rb") as f:
        ids = np.load(f)
    stored = None
    if EXACT_FILE in manifest.get("checksums", {}):
        # Mapped even for the build: it reads a few rows per question, and a patch writes a new file.
        stored = np.load(folder / EXACT_FILE, mmap_mode="r")
        if stored.shape != (len(ids), index.d):
            raise DatelineError(f"index generation {generation}: {EXACT_FILE} holds {stored.shape[0]} vectors for "
                                f"{len(ids)} ids: run `dateline index --full`", code="bad_index", status=503,
                                detail=str(folder))
    return LiveIndex(generation=generation, manifest=manifest, index=index, ids=ids, path=folder,
                     facets=_read_facets(folder, generation), mapped=mmap, stored=stored)


def incompatibility(manifest: dict, embedder: "Embedder | None", chunker: dict | None = None) -> str | None:
    """Return why an index with ``manifest`` does not fit the running model and chunker, or None."""
    chunker = chunker or chunker_config()
    if manifest.get("format") != MANIFEST_FORMAT:
        return f"it has manifest format {manifest.get('format')}, this version reads {MANIFEST_FORMAT}"
    if embedder is not None:
        if manifest.get("model") != embedder.name:
            return f"it was built with model {manifest.get('model')}, the running model is {embedder.name}"
        if manifest.get("dim") != embedder.dim:
            return f"its vectors have dimension {manifest.get('dim')}, the running model's {embedder.dim}"
    if manifest.get("chunker") != chunker:
        return f"it was built with chunker settings {manifest.get('chunker')}, the running ones are {chunker}"
    return None


def open_live(data_dir: str | Path, embedder: "Embedder | None" = None, *,
              generation: str | None = None) -> LiveIndex:
    """Load the live (or the named) generation and check it fits ``embedder`` and the chunker.

    Raises DatelineError ``no_index`` (503) when nothing is published, and one that says what
    to run when the manifest's model, dimension or chunker settings differ from the running ones.
    """
    for attempt in range(_OPEN_ATTEMPTS):
        name = generation or current_generation(data_dir)
        if name is None:
            raise DatelineError("no search index yet: run `dateline index`", code="no_index", status=503,
                                detail=f"data directory {data_dir}")
        try:
            live = load_generation(data_dir, name, mmap=True)
            break
        except DatelineError as e:
            # A publish may have swapped CURRENT and removed this generation since we read it.
            if generation is not None or e.code != "no_index" or attempt == _OPEN_ATTEMPTS - 1:
                raise
    reason = incompatibility(live.manifest, embedder)
    if reason:
        raise DatelineError(
            f"the index does not match the running settings: {reason}. "
            "Run `dateline index` to rebuild it (embeddings already cached are "
            "reused), or restore the settings it was built with.", code="index_mismatch", status=503,
            detail=f"data directory {data_dir}")
    return live
