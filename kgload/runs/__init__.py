"""Runs against a target: the run configuration file, and the runner that takes the target's lock,
records the run in its ledger (``kgload.ledger``) and loads."""
