"""`python -m qa` runs the `dateline` command."""
from .cli import main

main()
