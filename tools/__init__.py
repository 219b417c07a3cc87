"""Maintenance tools run from the repository root; some write package data under ``src/``."""
