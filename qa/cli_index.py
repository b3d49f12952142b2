"""`dateline index`: chunk, embed and publish the search index (issue 3)."""
from __future__ import annotations

import logging

import click

from index import settings

from .cli import data_option, main, user_errors


@main.command("index")
@click.option("--full", is_flag=True,
              help="Rebuild the index from scratch (re-chunk every item; cached embeddings are reused).")
@click.option("--index-type", type=click.Choice(["auto", "flat", "ivf", "hnsw"]),
              envvar=settings.setting("index_type").env, default=settings.setting("index_type").default,
              show_default=True, help=settings.setting("index_type").help)
@click.option("--backend", type=click.Choice(["auto", "torch", "torch-bf16", "onnx"]),
              envvar=settings.setting("embed_backend").env, default=settings.setting("embed_backend").default,
              show_default=True, help=settings.setting("embed_backend").help)
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
@data_option
@user_errors
def index_cmd(full, index_type, backend, as_json, data_dir):
    """Chunk new and changed items, embed what the cache lacks, and publish a new index.

    Only items imported or changed since the last run are chunked and embedded; vectors of
    removed items are dropped. The new generation goes live atomically: a running server keeps
    answering and picks it up by itself.
    """
    import json

    from index.build import build_index
    from index.embed import load_embedder

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    embedder = load_embedder(backend=backend)
    report = build_index(data_dir, embedder=embedder, full=full, progress=not as_json,
                         index_type=index_type)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.summary())
