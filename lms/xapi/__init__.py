"""xAPI: the registry of statement sources, the export and the forwarding to an LRS.

A low layer (above accounts, below every learning domain): each domain that has
something to say registers a statement source (``register_statement_source`` in
``sources.py``); ``flask lms export-xapi`` writes them all and the periodic task in
``forwarding.py`` sends the new ones to the district's learning record store.
"""

from flask import Flask


def register(app: Flask) -> None:
    from lms.cli import register_commands
    from lms.xapi import cli, tasks  # noqa: F401  (tasks: the periodic forwarding)

    register_commands(cli.export_xapi, cli.send_xapi)
