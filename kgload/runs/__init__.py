"""Scheduled runs: the config file, the run ledger and the lock that keeps runs apart."""
