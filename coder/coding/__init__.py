"""Coding a study: coding actions and the queries screens and exports read, the blind
second pass and its assignments, review and reconciliation, and search."""
