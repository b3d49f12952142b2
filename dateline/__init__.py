"""dateline: ask questions of a news archive; answers cite verbatim excerpts with date and dateline.

The folders ``index/``, ``qa/`` and ``web/`` at the top of the repository install as
``dateline.index`` (raw files to a searchable index), ``dateline.qa`` (a question to a cited
answer) and ``dateline.web`` (the Flask app); ``dateline.cli`` is the command line. Imports
point one way: index <- qa <- web <- cli.
"""
