"""`python -m dateline` runs the `dateline` command."""
from dateline.cli import main

main()
