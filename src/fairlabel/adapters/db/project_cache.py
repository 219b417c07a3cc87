"""What never changes about a project, kept per process for the projects read most recently.

The labeling loop reads a project on every request; what cannot change (its terms, schema,
requester) is read once and kept, so that the hot path loads only the columns that can. The
cache is bounded: a server that reads many projects over its life (the sweep, the pages, a
platform's thousands of requesters) keeps those it read last, up to ``FIXED_CHARACTERS`` of
their instructions (a project's instructions may hold up to 100,000 characters) and
``FACTS_KEPT`` projects' facts, and reads any other again. Its threads (the sweep's, the
request threads) share it: every access holds its lock.
"""

from __future__ import annotations

import threading

from cachetools import LRUCache

from fairlabel.adapters.db.rows import FixedProject
from fairlabel.services.ports.work import ProjectFacts

FIXED_CHARACTERS = 4_000_000
"""How much of the projects' terms one cache keeps, counted as their instructions' and
name's characters plus ``TERMS_OVERHEAD`` each (a few MiB at most)."""
TERMS_OVERHEAD = 2_000
"""What a project's terms weigh besides their texts (schema, money, dates), in characters."""
FACTS_KEPT = 4_096
"""Projects whose facts (schema, currency, redundancy, quality terms) one cache keeps."""


def _weight(fixed: FixedProject) -> int:
    return len(fixed.terms.instructions) + len(fixed.terms.name) + TERMS_OVERHEAD


class ProjectCache:
    """Per ``SqlDatabase``: what never changes about the projects read most recently."""

    def __init__(self, *, fixed_characters: int = FIXED_CHARACTERS,
                 facts_kept: int = FACTS_KEPT) -> None:
        self._fixed: LRUCache[int, FixedProject] = LRUCache(fixed_characters,
                                                           getsizeof=_weight)
        self._facts: LRUCache[int, ProjectFacts] = LRUCache(facts_kept)
        self._lock = threading.Lock()

    def fixed(self, project_id: int) -> FixedProject | None:
        with self._lock:
            return self._fixed.get(project_id)

    def keep_fixed(self, project_id: int, fixed: FixedProject) -> None:
        with self._lock:
            if _weight(fixed) <= self._fixed.maxsize:
                self._fixed[project_id] = fixed

    def facts(self, project_id: int) -> ProjectFacts | None:
        with self._lock:
            return self._facts.get(project_id)

    def keep_facts(self, project_id: int, facts: ProjectFacts) -> None:
        with self._lock:
            self._facts[project_id] = facts

    def __len__(self) -> int:
        """Projects whose terms are kept."""
        with self._lock:
            return len(self._fixed)
