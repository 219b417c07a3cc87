"""An index of past projects that finds the one a new project continues.

Candidates come from a ``datasketch.MinHashLSH`` over the combined signatures (bands of
``BAND_ROWS`` slots; with the default 128 slots that is 42 bands of 3, so a pair whose
instructions *or* data agree on a third of the slots is almost surely a candidate). Each
candidate is then confirmed with the exact :func:`~fairlabel.continuation.fingerprint.similarity`
and kept only if its combined score reaches the threshold.

``DEFAULT_THRESHOLD`` = 0.40 was chosen on the evaluation set
(``continuation/data/evaluation.json``, 171 pairs, built by
``python -m tools.continuation_eval``): the lowest continuation score there is 0.45
(reworded instructions + re-sampled image captions + renamed choices at once; paraphrased
tasks score at least 0.54) and the highest score of a distinct project of the same requester
is 0.35 (same instruction template, other domain and data); 0.40 is the middle of that gap.
See ``docs/continuation.md``.

:func:`band_keys` gives the index's LSH bands as keys a database can index, so that the
candidates of a new project among thousands of stored ones are found by one lookup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from fairlabel.continuation.fingerprint import (
    DATA_SKETCH,
    PARTS,
    U64,
    WEIGHTS,
    Fingerprint,
    signature_to_bytes,
)

DEFAULT_THRESHOLD = 0.40
"""Combined score from which a new project counts as a continuation (see module docstring)."""
BAND_ROWS = 3
"""Rows per LSH band: small bands favour recall; exact confirmation removes false hits."""


def band_keys_of_signature(signature: bytes) -> list[int]:
    """The LSH band keys of a stored signature (``signature_to_bytes``): one signed 64-bit
    key per band of ``BAND_ROWS`` slots, the band's number hashed with its slots.

    Two fingerprints share a key exactly when :class:`ContinuationIndex` would make them
    candidates (the same bands of the same slots), so a database can find the candidates of
    a new project among any number of stored ones with an index on the key.
    """
    width = 4 * BAND_ROWS
    return [int.from_bytes(hashlib.blake2b(band.to_bytes(2, "little")
                                           + signature[band * width:(band + 1) * width],
                                           digest_size=8).digest(), "little", signed=True)
            for band in range(len(signature) // width)]


def band_keys(fp: Fingerprint) -> list[int]:
    """The LSH band keys of a fingerprint (see :func:`band_keys_of_signature`)."""
    return band_keys_of_signature(signature_to_bytes(fp.signature))


def jaccard(a: U64, b: U64) -> float:
    """Exact Jaccard similarity of two sorted unique ``uint64`` arrays (0 if both empty)."""
    if a.size == 0 or b.size == 0:
        return 0.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def sketch_jaccard(a: U64, b: U64, k: int = DATA_SKETCH) -> float:
    """Jaccard of two sets kept as bottom-``k`` sketches (sorted unique ``uint64``): exact
    when neither was cut to ``k``, else the bottom-k estimate (the share of the ``k``
    smallest hashes of the union that both sets hold)."""
    if a.size < k and b.size < k:
        return jaccard(a, b)
    if a.size == 0 or b.size == 0:
        return 0.0
    union = np.union1d(a, b)[:k]
    both = np.intersect1d(a, b, assume_unique=True)
    return np.intersect1d(both, union, assume_unique=True).size / union.size


@dataclass(frozen=True)
class Similarity:
    """Exact similarity of two fingerprints.

    Attributes:
        instructions: Jaccard of the instruction shingles.
        schema: Jaccard of the schema tokens.
        data: Jaccard of the task data shingles.
        same_type: Whether the task types are equal.
        combined: Weighted score (see ``WEIGHTS``), 0 if the types differ.
    """

    instructions: float
    schema: float
    data: float
    same_type: bool
    combined: float


def similarity(a: Fingerprint, b: Fingerprint) -> Similarity:
    """Per-part Jaccard (exact; for the data, exact up to ``DATA_SKETCH`` shingles and the
    bottom-k estimate past it) and the combined score of two fingerprints.

    The combined score is ``Σ weight × Jaccard`` over the parts (``WEIGHTS``:
    instructions 0.25, schema 0.10, data 0.65) divided by the weights of the parts that
    are non-empty in at least one project; it is 0 when the task types differ.

    Args:
        a: One fingerprint.
        b: The other.

    Returns:
        The similarity.
    """
    scores = {p: (sketch_jaccard if p == "data" else jaccard)(a.part(p), b.part(p))
              for p in PARTS}
    present = [p for p in PARTS if a.part(p).size or b.part(p).size]
    same_type = a.task_type == b.task_type
    total = sum(WEIGHTS[p] for p in present)
    combined = sum(WEIGHTS[p] * scores[p] for p in present) / total if total else 0.0
    return Similarity(scores["instructions"], scores["schema"], scores["data"], same_type,
                      combined if same_type else 0.0)


@dataclass(frozen=True)
class Match:
    """A past project that the queried project is similar to.

    Attributes:
        key: The past project's key (e.g. its database id).
        score: The combined exact similarity.
        parts: Per-part similarities.
    """

    key: int
    score: float
    parts: Similarity


class ContinuationIndex:
    """Stored fingerprints of past projects, queried for near-duplicates.

    Args:
        threshold: Combined score from which a match is reported.
        num_perm: Number of MinHash slots the fingerprints were made with.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = 128) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        bands = num_perm // BAND_ROWS
        if bands < 1:
            raise ValueError(f"num_perm must be at least {BAND_ROWS}")
        self.threshold = threshold
        self.num_perm = num_perm
        # Imported here: datasketch loads scipy, which only an index needs.
        from datasketch import MinHashLSH  # type: ignore[import-untyped, unused-ignore]

        self._lsh = MinHashLSH(num_perm=num_perm, params=(bands, BAND_ROWS))
        self._fingerprints: dict[int, Fingerprint] = {}

    def __len__(self) -> int:
        return len(self._fingerprints)

    def __contains__(self, key: object) -> bool:
        return key in self._fingerprints

    def _check(self, fp: Fingerprint) -> None:
        if fp.num_perm != self.num_perm:
            raise ValueError(f"fingerprint has {fp.num_perm} slots, the index {self.num_perm}")

    def add(self, key: int, fp: Fingerprint) -> None:
        """Store a past project's fingerprint.

        Args:
            key: The project's key; must not be stored yet.
            fp: Its fingerprint.

        Raises:
            KeyError: If the key is already stored.
            ValueError: If the fingerprint has another number of slots.
        """
        self._check(fp)
        if key in self._fingerprints:
            raise KeyError(f"key {key} is already in the index")
        self._lsh.insert(key, fp.minhash, check_duplication=False)
        self._fingerprints[key] = fp

    def remove(self, key: int) -> None:
        """Forget a project (e.g. once its 90-day window has passed).

        Args:
            key: The project's key.

        Raises:
            KeyError: If the key is not stored.
        """
        if key not in self._fingerprints:
            raise KeyError(f"key {key} is not in the index")
        self._lsh.remove(key)
        del self._fingerprints[key]

    def candidates(self, fp: Fingerprint) -> list[int]:
        """Keys the LSH proposes for ``fp`` (before exact confirmation).

        Args:
            fp: The new project's fingerprint.

        Returns:
            Candidate keys, in no particular order.
        """
        self._check(fp)
        return [int(k) for k in self._lsh.query(fp.minhash)]

    def query(self, fp: Fingerprint) -> list[Match]:
        """Past projects the new one continues, best first.

        Args:
            fp: The new project's fingerprint.

        Returns:
            Confirmed matches with a combined score ≥ the threshold, sorted by score
            (descending), then key.
        """
        matches = []
        for key in self.candidates(fp):
            parts = similarity(fp, self._fingerprints[key])
            if parts.combined >= self.threshold:
                matches.append(Match(key, parts.combined, parts))
        matches.sort(key=lambda m: (-m.score, m.key))
        return matches

    def best_match(self, fp: Fingerprint) -> Match | None:
        """The best confirmed match, or ``None``.

        Args:
            fp: The new project's fingerprint.

        Returns:
            The highest-scoring match, if any reaches the threshold.
        """
        matches = self.query(fp)
        return matches[0] if matches else None
