"""``python -m kgload.cli``: the ``kgload`` command."""

from kgload.cli import main

main()
