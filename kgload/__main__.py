"""``python -m kgload``: the ``kgload`` command."""

from kgload.cli import main

main()
