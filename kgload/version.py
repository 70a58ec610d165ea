"""kgload's version as installed, for ``kgload --version`` and the run ledger."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kgload")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
