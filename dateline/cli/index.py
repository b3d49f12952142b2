"""`dateline index`: chunk, embed and publish the search index."""
from __future__ import annotations

import json
import logging

import click

from dateline.index.embed import BACKENDS
from dateline.index.faiss_index import INDEX_TYPES

from .common import data_option, echo_waiting, setting_option, user_errors


@click.command("index")
@click.option("--full", is_flag=True,
              help="Rebuild the index from scratch (re-chunk every item; cached embeddings are reused).")
@setting_option("index_type", type=click.Choice(INDEX_TYPES))
@setting_option("embed_backend", "--backend", type=click.Choice(BACKENDS))
@setting_option("ray", "--ray", "ray_address", metavar="ADDRESS")
@setting_option("ray_workers", type=click.IntRange(1))
@setting_option("ray_batch", type=click.IntRange(1))
@setting_option("ray_gpus", type=click.FloatRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
@data_option
@user_errors
def index_cmd(full, index_type, backend, ray_address, ray_workers, ray_batch, ray_gpus, as_json, data_dir):
    """Chunk new and changed items, embed what the cache lacks, and publish a new index.

    Only items imported or changed since the last run are chunked and embedded; vectors of
    removed items are dropped. The new generation goes live atomically: a running server keeps
    answering and picks it up by itself.
    """
    from dateline.index import jobs
    from dateline.index.build import build_index, check_writable
    from dateline.index.embed import load_embedder
    from dateline.index.ray_embed import RayOptions, import_ray
    from dateline.index.tasks import build_progress

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    check_writable(data_dir)  # a read-only index folder is said at once, not after the model loads
    ray = RayOptions.from_settings(ray_address, ray_workers, ray_batch, ray_gpus, backend)
    if ray is not None:
        import_ray()  # a missing install is said at once too
    with jobs.run(data_dir, "index", origin="cli", on_wait=echo_waiting) as job:
        embedder = load_embedder(backend=backend)
        report = build_index(data_dir, embedder=embedder, full=full, progress=not as_json,
                             index_type=index_type, on_progress=build_progress(job), ray=ray)
        job.result = report.to_dict()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.summary())
