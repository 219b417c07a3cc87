"""Fingerprints of projects: normalised shingle sets per part and one MinHash signature.

A project is compared over three parts:

* **instructions** – word 2-shingles taken *within* sentences (and, for one-word sentences,
  the word). Sentence order does not matter, so reordering sentences changes nothing, and a
  reworded word only costs the two shingles it sits in.
* **schema** – the task type, the *number* of choices (as cumulative tokens ``choices>=2``,
  ``choices>=3`` …, so adding one choice barely moves the score) or the size of the rating
  scale, and the field names of the task data. Choice names are ignored, so renamed or
  reordered choices are invisible.
* **data** – word 1- and 2-shingles of every text value of the task samples, as one set,
  kept as its ``DATA_SKETCH`` smallest hashes (a bottom-k sketch: a uniform sample of the
  set, compared with the bottom-k estimator of Jaccard; a set smaller than that is kept
  whole and compared exactly). Shuffling the tasks changes nothing, so the guard reads all of
  a project's tasks (up to its cap) rather than the first few; a re-sample from the same
  source shares most of its vocabulary and phrasing, and a paraphrase that swaps a third of
  the words keeps the other words and most of the numbers and names.

Text is normalised first: Unicode NFKC, lower case, punctuation removed, whitespace
collapsed. Shingles are hashed to 64 bits (``blake2b`` of each word, mixed for pairs), kept
as sorted ``uint64`` arrays for the exact Jaccard and stored in compact bytes.

The MinHash signature (a ``datasketch.LeanMinHash``, scheme ``affine32``) concatenates
``num_perm // 2`` slots of the instructions and ``num_perm - num_perm // 2`` slots of the
data. Its slot agreement therefore estimates the *mean* of the two parts' Jaccard, and an
LSH band falls inside one part, so a near-duplicate in either part makes a candidate. The
schema is left out of the signature on purpose: it has a handful of tokens shared by most
projects of one type and would make every same-type project a candidate; it is checked
exactly in :func:`~fairlabel.continuation.index.similarity` instead.

Combined score (:func:`~fairlabel.continuation.index.similarity`):
``0.25 × instructions + 0.65 × data + 0.10 × schema`` (exact Jaccard per part), and **0
when the task types differ**. The data weighs most: the same instruction template on other
data is a different project, while the same data with reworded instructions is the same work.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]

SEED = 20240917
"""Seed of the MinHash slot hash functions (fixed: fingerprints must be comparable)."""
WEIGHTS: Mapping[str, float] = {"instructions": 0.25, "schema": 0.10, "data": 0.65}
"""Weights of the per-part exact Jaccard in the combined score."""
PARTS = ("instructions", "schema", "data")
DATA_SKETCH = 4096
"""Data shingles kept per fingerprint (the smallest hashes: a bottom-k sketch, 32 KiB)."""
_FORMAT = 1
_MASK32 = np.uint64(0xFFFFFFFF)
_SENTENCE = re.compile(r"[.!?;:\n]+")
_NOT_WORD = re.compile(r"[^\w\s]|_")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ProjectText:
    """What a project says about its work, as compared by the continuation guard.

    Attributes:
        instructions: The instructions shown to workers (free text).
        schema: The label schema, e.g. ``{"type": "single_choice", "choices": [...]}``.
        task_samples: A sample of the project's task data (JSON objects).
    """

    instructions: str
    schema: Mapping[str, Any]
    task_samples: Sequence[Mapping[str, Any]] = ()


def normalise(text: str) -> str:
    """Lower-case (after NFKC), strip punctuation and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", _NOT_WORD.sub(" ", text)).strip()


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _mix(x: U64) -> U64:
    """splitmix64 finaliser (wrapping uint64 arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _word_array(words: Sequence[str], seen: dict[str, int] | None = None) -> U64:
    """The words' hashes; ``seen``: those already computed for this fingerprint (a project's
    tasks repeat most of their words), filled here and dropped with the fingerprint, so that
    nothing of a project's words outlives it in a server."""
    if seen is None:
        return np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))

    def known(word: str) -> int:
        found = seen.get(word)
        if found is None:
            found = seen[word] = _word_hash(word)
        return found

    return np.fromiter(map(known, words), dtype=np.uint64, count=len(words))


def _pairs(h: U64, salt: int) -> U64:
    return _mix(h[:-1] * np.uint64(0x9E3779B97F4A7C15) + h[1:] + np.uint64(salt))


def _unique(chunks: Iterable[U64]) -> U64:
    parts = list(chunks)
    if not parts:
        return np.zeros(0, dtype=np.uint64)
    return np.unique(np.concatenate(parts))


def instruction_shingles(instructions: str) -> U64:
    """Hashed word 2-shingles within each sentence (sorted unique ``uint64``)."""
    chunks: list[U64] = []
    for sentence in _SENTENCE.split(instructions):
        words = normalise(sentence).split()
        if len(words) == 1:
            chunks.append(_mix(_word_array(words)))
        elif words:
            chunks.append(_pairs(_word_array(words), 1))
    return _unique(chunks)


def _schema_tokens(schema: Mapping[str, Any], fields: Iterable[str]) -> Iterator[str]:
    kind = str(schema.get("type", ""))
    yield f"type:{kind}"
    choices = schema.get("choices")
    if isinstance(choices, Sequence) and not isinstance(choices, str):
        yield from (f"choices>={k}" for k in range(2, len(choices) + 1))
    low, high = schema.get("min"), schema.get("max")
    if isinstance(low, int | float) and isinstance(high, int | float):
        yield from (f"scale>={k}" for k in range(2, int(high - low) + 2))
    max_length = schema.get("max_length")
    if isinstance(max_length, int) and max_length > 0:
        yield f"length~{max_length.bit_length()}"
    yield from (f"field:{name}" for name in fields)


def schema_shingles(schema: Mapping[str, Any], task_samples: Sequence[Mapping[str, Any]]) -> U64:
    """Hashed structural tokens: type, choice count, scale, data field names."""
    fields = sorted({str(k).lower() for sample in task_samples for k in sample})
    tokens = list(_schema_tokens(schema, fields))
    return _unique([_mix(_word_array(tokens) ^ np.uint64(2))])


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def data_shingles(task_samples: Sequence[Mapping[str, Any]]) -> U64:
    """Hashed word 1- and 2-shingles of all text values of the task samples."""
    chunks: list[U64] = []
    seen: dict[str, int] = {}
    for sample in task_samples:
        for text in _strings(sample):
            words = normalise(text).split()
            if words:
                h = _word_array(words, seen)
                chunks.extend((_mix(h ^ np.uint64(3)), _pairs(h, 4)))
    return _unique(chunks)


@lru_cache(maxsize=16)
def _slot_params(num_perm: int) -> tuple[U64, U64]:
    rng = np.random.default_rng(SEED)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


SIGNATURE_CHUNK = 2048
"""Shingles hashed per slot at a time: the slots × shingles products stay within
``num_perm × SIGNATURE_CHUNK × 8`` bytes (1 MiB for 64 slots), however many shingles a project
has (the minimum over chunks is the minimum over all)."""


def _signature(shingles: U64, a: U64, b: U64) -> U64:
    lowest = np.full(a.size, _MASK32, dtype=np.uint64)
    for start in range(0, shingles.size, SIGNATURE_CHUNK):
        chunk = shingles[start:start + SIGNATURE_CHUNK]
        products = a[:, None] * chunk[None, :] + b[:, None]
        products >>= np.uint64(32)
        np.minimum(lowest, products.min(axis=1), out=lowest)
    return lowest


def signature(instructions: U64, data: U64, num_perm: int = 128) -> U64:
    """The combined MinHash: half the slots on the instructions, half on the data.

    Args:
        instructions: Instruction shingles.
        data: Data shingles.
        num_perm: Number of MinHash slots (permutations).

    Returns:
        ``num_perm`` 32-bit hash values (held as ``uint64``); :attr:`Fingerprint.minhash`
        wraps them in a ``datasketch.LeanMinHash`` (scheme ``affine32``) for the LSH index.
    """
    a, b = _slot_params(num_perm)
    half = num_perm // 2
    return np.concatenate([_signature(instructions, a[:half], b[:half]),
                           _signature(data, a[half:], b[half:])]).astype(np.uint64)


def signature_to_bytes(values: U64) -> bytes:
    """Serialise a signature (little-endian 32-bit values, for a DB column)."""
    return np.asarray(values, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> U64:
    """Inverse of :func:`signature_to_bytes`."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint64)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """Per-part shingle sets (sorted ``uint64`` arrays) and the combined MinHash.

    Attributes:
        task_type: The schema's ``type`` (projects of different types never match).
        instructions: Instruction shingles.
        schema: Schema shingles.
        data: Task data shingles.
        signature: Combined MinHash signature (see :func:`signature`).
    """

    task_type: str
    instructions: U64 = field(repr=False)
    schema: U64 = field(repr=False)
    data: U64 = field(repr=False)
    signature: U64 = field(repr=False)

    @property
    def num_perm(self) -> int:
        """Number of MinHash slots."""
        return int(self.signature.size)

    @property
    def minhash(self) -> Any:
        """The signature as a ``datasketch.LeanMinHash``, for the LSH index.

        datasketch (and the scipy it loads) is imported only here, so that fingerprinting and
        exact comparison, which an app server does at every launch, stay light.
        """
        from datasketch import LeanMinHash  # type: ignore[import-untyped, unused-ignore]

        return LeanMinHash(seed=SEED, hashvalues=self.signature.astype(np.uint32),
                           scheme="affine32")

    def part(self, name: str) -> U64:
        """The shingle set of one part (``instructions``, ``schema`` or ``data``)."""
        value: U64 = getattr(self, name)
        return value

    def to_bytes(self) -> bytes:
        """Serialise everything: task type, the three shingle sets and the signature.

        Returns:
            Compact little-endian bytes (8 bytes per shingle plus the signature).
        """
        kind = self.task_type.encode()
        sig = signature_to_bytes(self.signature)
        sizes = [self.part(p).size for p in PARTS]
        head = struct.pack("<BH3II", _FORMAT, len(kind), *sizes, len(sig))
        arrays = b"".join(self.part(p).astype("<u8").tobytes() for p in PARTS)
        return head + kind + arrays + sig

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Inverse of :meth:`to_bytes`.

        Args:
            data: Bytes written by :meth:`to_bytes`.

        Returns:
            The fingerprint.

        Raises:
            ValueError: If the bytes are not a fingerprint of a known format.
        """
        head = struct.calcsize("<BH3II")
        version, n_kind, *sizes, n_sig = struct.unpack_from("<BH3II", data)
        if version != _FORMAT:
            raise ValueError(f"unknown fingerprint format {version}")
        pos = head + n_kind
        kind = data[head:pos].decode()
        arrays: list[U64] = []
        for size in sizes:
            arrays.append(np.frombuffer(data, dtype="<u8", count=size, offset=pos)
                          .astype(np.uint64))
            pos += 8 * size
        if len(data) != pos + n_sig:
            raise ValueError("truncated or oversized fingerprint")
        return cls(kind, arrays[0], arrays[1], arrays[2], signature_from_bytes(data[pos:]))


def fingerprint(text: ProjectText, *, num_perm: int = 128) -> Fingerprint:
    """Fingerprint a project (deterministic: same text, same fingerprint).

    Args:
        text: The project's instructions, schema and task samples.
        num_perm: Number of MinHash slots (even, at least 2).

    Returns:
        The fingerprint.

    Raises:
        ValueError: If ``num_perm`` is too small.
    """
    if num_perm < 2:
        raise ValueError("num_perm must be at least 2")
    instructions = instruction_shingles(text.instructions)
    data = data_shingles(text.task_samples)
    return Fingerprint(
        task_type=str(text.schema.get("type", "")),
        instructions=instructions,
        schema=schema_shingles(text.schema, text.task_samples),
        data=data[:DATA_SKETCH],  # sorted: the bottom-k sketch
        signature=signature(instructions, data, num_perm),
    )
