"""`dateline mcp`: the archive's tools for agents, over the Model Context Protocol on stdio."""
from __future__ import annotations

import click

from .common import data_option, user_errors


@click.command()
@data_option
@user_errors
def mcp(data_dir):
    """Serve ask, search, get_item and archive_status to an MCP client over stdin/stdout.

    An MCP client (Claude Desktop, an IDE, an agent) starts this command itself; stdout is the
    protocol channel and the log goes to stderr. Run `dateline index` first: until an index is
    published, each tool call answers with the command to run.
    """
    from dateline.web.mcp import serve

    serve(str(data_dir))
