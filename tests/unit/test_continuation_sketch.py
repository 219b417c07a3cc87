"""The guard's fingerprint against large, shuffled and paraphrased copies: the data sketch,
the LSH band keys a database indexes, and rule 5's pay comparisons."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.continuation import (
    ContinuationIndex,
    ProjectText,
    band_keys,
    fingerprint,
    jaccard,
    similarity,
)
from fairlabel.continuation.fingerprint import DATA_SKETCH
from fairlabel.continuation.index import sketch_jaccard
from fairlabel.domain.continuation import back_pay_due, pays_less
from fairlabel.domain.money import Money
from tests.unit.test_continuation import INSTRUCTIONS, SCHEMA

WORDS = [f"w{i}" for i in range(400)]


def messages(seed: int, n: int) -> list[dict[str, str]]:
    """``n`` messages, each with an order number of its own (as real tickets have)."""
    rng = random.Random(seed)
    return [{"text": f"order {rng.randrange(10**6)}: " + " ".join(rng.sample(WORDS, 12))}
            for _ in range(n)]


def test_a_shuffled_copy_of_a_large_project_has_the_same_data_sketch() -> None:
    tasks = messages(1, 3000)
    shuffled = tasks[:]
    random.Random(2).shuffle(shuffled)
    a = fingerprint(ProjectText(INSTRUCTIONS, SCHEMA, tasks))
    b = fingerprint(ProjectText(INSTRUCTIONS, SCHEMA, shuffled))
    assert a.data.size == DATA_SKETCH  # the sketch, not the whole set
    assert np.array_equal(a.data, b.data)
    assert similarity(a, b).combined == pytest.approx(1.0)


def test_the_sketch_estimate_is_exact_for_small_sets_and_close_for_large_ones() -> None:
    rng = np.random.default_rng(3)
    small_a = np.unique(rng.integers(0, 2**63, 500, dtype=np.uint64))
    small_b = np.unique(np.concatenate([small_a[:300], rng.integers(0, 2**63, 200,
                                                                    dtype=np.uint64)]))
    assert sketch_jaccard(small_a, small_b) == jaccard(small_a, small_b)
    common = rng.integers(0, 2**63, 20_000, dtype=np.uint64)
    full_a = np.unique(np.concatenate([common, rng.integers(0, 2**63, 10_000, dtype=np.uint64)]))
    full_b = np.unique(np.concatenate([common, rng.integers(0, 2**63, 10_000, dtype=np.uint64)]))
    exact = jaccard(full_a, full_b)  # 0.5
    estimate = sketch_jaccard(full_a[:DATA_SKETCH], full_b[:DATA_SKETCH])
    assert abs(estimate - exact) < 0.03


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 1.0))
def test_two_projects_share_a_band_key_exactly_when_the_index_makes_them_candidates(
        seed: int, kept: float) -> None:
    rng = random.Random(seed)
    old = messages(seed, 20)
    new = [m if rng.random() < kept else {"text": " ".join(rng.sample(WORDS, 12))}
           for m in old]
    a = fingerprint(ProjectText(INSTRUCTIONS, SCHEMA, old))
    b = fingerprint(ProjectText("Another text. Quite another one.", SCHEMA, new))
    index = ContinuationIndex()
    index.add(1, a)
    assert bool(set(band_keys(a)) & set(band_keys(b))) == (index.candidates(b) == [1])
    assert len(band_keys(a)) == 42


def test_a_continuation_pays_less_only_below_the_earlier_price_in_the_same_currency() -> None:
    assert pays_less(old_price=Money(100, "EUR"), new_price=Money(99, "EUR"))
    assert not pays_less(old_price=Money(100, "EUR"), new_price=Money(100, "EUR"))
    assert not pays_less(old_price=Money(100, "EUR"), new_price=Money(50, "USD"))


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_back_pay_makes_an_answer_whole_and_never_takes_back(paid: int, earlier: int) -> None:
    due = back_pay_due(paid_minor=paid, earlier_price_minor=earlier)
    assert due >= 0
    assert paid + due == max(paid, earlier)


@pytest.mark.parametrize("size", [0, 1, 2047, 2048, 2049, 10_000])
def test_the_signature_is_the_minimum_over_every_shingle_computed_a_chunk_at_a_time(
        size: int) -> None:
    """The slots × shingles products are made a chunk at a time (a project's launch reads up
    to 5,000 tasks: all at once they took a 64 × n array of 8-byte products); the signature
    is the one of every shingle at once."""
    from fairlabel.continuation.fingerprint import _MASK32, _signature, _slot_params

    shingles = np.unique(np.random.default_rng(size).integers(
        0, 2**64 - 1, size=size, dtype=np.uint64))
    a, b = _slot_params(64)
    whole = ((a[:, None] * shingles[None, :] + b[:, None]) >> np.uint64(32)).min(axis=1) \
        if shingles.size else np.full(64, _MASK32, dtype=np.uint64)
    assert np.array_equal(_signature(shingles, a, b), whole)


def test_fingerprinting_keeps_nothing_of_the_words_it_read() -> None:
    """A server fingerprints each project it launches: a project's words (up to 5,000 tasks
    of them) must not stay in memory after its fingerprint is made. A process-wide cache of
    word hashes filled up to 262,144 words, about 52 MiB kept for good by every server."""
    import gc
    import tracemalloc

    def project(seed: int) -> ProjectText:  # 40,000 words seen nowhere else
        return ProjectText(INSTRUCTIONS, SCHEMA,
                           [{"text": " ".join(f"s{seed}x{i}w{j}" for j in range(20))}
                            for i in range(2000)])

    fingerprint(project(0))  # anything loaded once is loaded before measuring
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        made = fingerprint(project(1))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert made.part("data").size > 0
    assert kept < 1 << 20, f"{kept} bytes kept after fingerprinting"
