"""The continuation guard's numeric core: fingerprints, similarity, the LSH index."""

from __future__ import annotations

import json
import random
from importlib import resources
from typing import Any

import numpy as np
import pytest

from fairlabel.continuation import (
    DEFAULT_THRESHOLD,
    ContinuationIndex,
    Fingerprint,
    ProjectText,
    fingerprint,
    signature_from_bytes,
    signature_to_bytes,
    similarity,
)

INSTRUCTIONS = (
    "Welcome to Musen. Read each review of a restaurant carefully. Decide whether the "
    "overall opinion is positive, negative or neutral. A review that praises some things and "
    "criticises others is labelled by its main conclusion. If the writer only describes "
    "facts, choose neutral. Do not guess the star rating. Ignore spelling mistakes."
)
DISHES = ["pasta", "ramen", "burger", "pizza", "curry", "risotto", "tacos", "steak", "soup"]
QUALITY = ["delicious", "bland", "overcooked", "perfect", "salty", "fresh", "greasy"]
STAFF = ["friendly", "rude", "slow", "attentive", "busy", "helpful"]


def reviews(seed: int, n: int = 30) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{"text": f"The {rng.choice(DISHES)} was {rng.choice(QUALITY)} and the waiters "
                     f"were {rng.choice(STAFF)}. Prices are {rng.choice(['fair', 'high'])}."}
            for _ in range(n)]


SCHEMA = {"type": "single_choice", "choices": ["positive", "negative", "neutral"]}
MUSEN = ProjectText(INSTRUCTIONS, SCHEMA, reviews(1))


def score(a: ProjectText, b: ProjectText) -> float:
    return similarity(fingerprint(a), fingerprint(b)).combined


def test_fingerprints_are_deterministic() -> None:
    a, b = fingerprint(MUSEN), fingerprint(MUSEN)
    assert a.to_bytes() == b.to_bytes()
    assert similarity(a, b).combined == pytest.approx(1.0)


@pytest.mark.parametrize("variant", [
    ProjectText(INSTRUCTIONS.replace("Musen", "Nova"), SCHEMA, reviews(1)),
    ProjectText(" ".join(reversed(INSTRUCTIONS.split(". "))), SCHEMA, reviews(1)),
    ProjectText(INSTRUCTIONS.replace("Read each", "Go through every")
                .replace("choose", "select") + " Thank you for your work.", SCHEMA, reviews(1)),
    ProjectText(INSTRUCTIONS, SCHEMA, list(reversed(reviews(1)))),
    ProjectText(INSTRUCTIONS, SCHEMA, reviews(2)),
    ProjectText(INSTRUCTIONS, {"type": "single_choice", "choices": ["NEG", "POS", "NEU"]},
                reviews(1)),
    ProjectText(INSTRUCTIONS.upper().replace(".", "!"), SCHEMA, reviews(1)),
], ids=["name", "sentence-order", "synonyms", "shuffled", "resampled", "choices", "case"])
def test_each_evasion_alone_is_still_a_continuation(variant: ProjectText) -> None:
    assert score(MUSEN, variant) >= DEFAULT_THRESHOLD


def test_all_evasions_at_once_are_still_a_continuation() -> None:
    sentences = INSTRUCTIONS.replace("Musen", "Nova").replace("carefully", "attentively")
    nova = ProjectText(" ".join(reversed(sentences.split(". "))),
                       {"type": "single_choice", "choices": ["Neutral", "Bad", "Good"]},
                       reviews(3))
    assert score(MUSEN, nova) >= DEFAULT_THRESHOLD


def test_another_task_type_is_dissimilar() -> None:
    rating = ProjectText(INSTRUCTIONS, {"type": "rating", "min": 1, "max": 5}, reviews(1))
    sim = similarity(fingerprint(MUSEN), fingerprint(rating))
    assert not sim.same_type
    assert sim.combined == 0.0
    assert sim.data == pytest.approx(1.0)


def test_same_template_on_other_data_is_not_a_continuation() -> None:
    hotels = ProjectText(
        INSTRUCTIONS.replace("restaurant", "hotel"), SCHEMA,
        [{"text": f"Our room had a {v} and breakfast offered {f}."}
         for v in ["sea view", "garden view", "city view"]
         for f in ["eggs", "pastries", "local cheese", "cereal", "fruit"]])
    assert score(MUSEN, hotels) < DEFAULT_THRESHOLD


def test_another_language_is_not_a_continuation() -> None:
    german = ProjectText(
        "Willkommen bei Nova. Lesen Sie jede Bewertung sorgfältig. Entscheiden Sie, ob die "
        "Meinung positiv, negativ oder neutral ist.", SCHEMA,
        [{"text": f"Das {d} war lecker und die Bedienung freundlich."}
         for d in ["Schnitzel", "Curry", "Steak"]])
    assert score(MUSEN, german) < DEFAULT_THRESHOLD


def test_choice_count_matters_a_little_and_names_not_at_all() -> None:
    fp = fingerprint(MUSEN)
    four = fingerprint(ProjectText(INSTRUCTIONS, {**SCHEMA, "choices": ["a", "b", "c", "d"]},
                                   reviews(1)))
    renamed = fingerprint(ProjectText(INSTRUCTIONS, {**SCHEMA, "choices": ["x", "y", "z"]},
                                      reviews(1)))
    assert similarity(fp, renamed).schema == 1.0
    assert 0.5 < similarity(fp, four).schema < 1.0


def test_fingerprint_bytes_round_trip() -> None:
    fp = fingerprint(MUSEN)
    back = Fingerprint.from_bytes(fp.to_bytes())
    assert back.task_type == fp.task_type
    for part in ("instructions", "schema", "data"):
        assert np.array_equal(back.part(part), fp.part(part))
    assert np.array_equal(back.signature, fp.signature)
    assert np.array_equal(back.minhash.hashvalues, fp.minhash.hashvalues)
    assert back.to_bytes() == fp.to_bytes()
    sig = signature_to_bytes(fp.signature)
    assert len(sig) < 600
    assert np.array_equal(signature_from_bytes(sig), fp.signature)
    with pytest.raises(ValueError, match="truncated"):
        Fingerprint.from_bytes(fp.to_bytes()[:-1])


def test_empty_projects_do_not_crash() -> None:
    fp = fingerprint(ProjectText("", {"type": "free_text"}, []))
    assert similarity(fp, fp).combined == pytest.approx(1.0)  # schema only
    assert len(fp.minhash) == 128


def test_index_add_query_remove() -> None:
    index = ContinuationIndex()
    index.add(1, fingerprint(MUSEN))
    index.add(2, fingerprint(ProjectText("Rate the caption of the photo from 1 to 5.",
                                         {"type": "rating", "min": 1, "max": 5},
                                         [{"caption": "A dog on the beach."}])))
    with pytest.raises(KeyError):
        index.add(1, fingerprint(MUSEN))
    nova = fingerprint(ProjectText(INSTRUCTIONS.replace("Musen", "Nova"), SCHEMA, reviews(4)))
    matches = index.query(nova)
    assert [m.key for m in matches] == [1]
    best = index.best_match(nova)
    assert best is not None and best.key == 1 and best.score >= DEFAULT_THRESHOLD
    assert best.parts.same_type
    index.add(3, fingerprint(ProjectText(INSTRUCTIONS, SCHEMA, reviews(4))))
    assert [m.key for m in index.query(nova)] == [3, 1]  # best first
    index.remove(1)
    index.remove(3)
    assert index.best_match(nova) is None
    assert len(index) == 1 and 2 in index
    with pytest.raises(KeyError):
        index.remove(1)
    with pytest.raises(ValueError):
        index.query(fingerprint(MUSEN, num_perm=64))


def test_evaluation_set_precision_and_recall() -> None:
    raw = resources.files("fairlabel.continuation").joinpath("data/evaluation.json")
    pairs = json.loads(raw.read_text())["pairs"]
    assert sum(p["continuation"] for p in pairs) >= 60
    assert sum(not p["continuation"] for p in pairs) >= 60

    def text(p: dict[str, Any]) -> ProjectText:
        return ProjectText(p["instructions"], p["schema"], p["task_samples"])

    tp = fp = fn = 0
    for pair in pairs:
        index = ContinuationIndex()
        index.add(7, fingerprint(text(pair["old"])))
        flagged = index.best_match(fingerprint(text(pair["new"]))) is not None
        tp += flagged and pair["continuation"]
        fp += flagged and not pair["continuation"]
        fn += not flagged and pair["continuation"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"evaluation set: {len(pairs)} pairs, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95
    assert recall >= 0.95
