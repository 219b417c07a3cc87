"""Size thresholds of the estimators (no numpy here: callers read them without loading it)."""

SPARSE_FROM_ANSWERS = 50_000
"""From this many answers on, EM fits use scipy's sparse products (faster at scale); below,
numpy alone (a small fit, e.g. a project's consensus in the app server, loads no scipy)."""
