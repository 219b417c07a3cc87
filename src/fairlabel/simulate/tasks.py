"""The simulated labeling work: short customer messages with a known feeling, and the ways a
relauncher disguises the same work (reworded instructions, renamed labels, paraphrased and
shuffled data).

Each message's truth is an index into the project's choices (0 the pleased one, 1 the unhappy
one, 2 the neutral one), so that renamed labels keep the same truth. Truths are kept beside the
data, never in what workers are served.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CHOICES = ("positive", "negative", "neutral")
RENAMED = (("good", "bad", "mixed"), ("happy", "unhappy", "flat"), ("pro", "con", "none"))

INSTRUCTIONS = (
    "Read each short customer message and choose the overall feeling it expresses. "
    "Positive: the writer is pleased, grateful or recommends it. Negative: the writer is "
    "unhappy, complains or warns others, including sarcasm. Neutral: factual, or so mixed "
    "that neither side wins.")

_REWORDED = {
    "Read": "Look at", "short": "brief", "customer": "client", "message": "note",
    "choose": "pick", "overall": "general", "feeling": "sentiment", "expresses": "shows",
    "pleased": "satisfied", "grateful": "thankful", "recommends": "suggests", "unhappy": "upset",
    "complains": "grumbles", "warns": "cautions", "factual": "matter-of-fact", "mixed": "balanced",
}

_ITEMS = ("blender", "kettle", "backpack", "phone case", "desk lamp", "rain jacket",
          "coffee grinder", "bike lock", "headset", "suitcase", "toaster", "keyboard",
          "water bottle", "scarf",
          "monitor stand", "tent", "camera strap", "office chair", "rice cooker", "umbrella")
_GOOD = ("works perfectly", "arrived early and works great", "is sturdy and well made",
         "exceeded every expectation", "is the best purchase this year", "feels solid and reliable")
_BAD = ("broke after two days", "arrived damaged and late", "stopped working within a week",
        "is flimsy and overpriced", "never matched the photos", "made a terrible noise")
_FLAT = ("arrived on the stated date", "comes in a grey box", "weighs about what was listed",
         "has the usual two year warranty", "was delivered to the front desk",
         "matches the listed size")
_GOOD_END = ("I would buy it again", "highly recommended", "thank you so much",
             "my family loves it")
_BAD_END = ("avoid this seller", "I want a refund", "what a waste of money",
            "never again")
_FLAT_END = ("nothing more to add", "that is all for now", "no other comments",
             "order number on file")

SYNONYMS = {
    "works": "functions", "perfectly": "flawlessly", "arrived": "came", "early": "ahead",
    "great": "wonderfully", "sturdy": "robust", "well": "nicely", "made": "built",
    "exceeded": "surpassed", "every": "each", "expectation": "hope", "best": "finest",
    "purchase": "buy", "year": "season", "feels": "seems", "solid": "firm",
    "reliable": "dependable", "broke": "snapped", "days": "mornings", "damaged": "broken",
    "late": "delayed", "stopped": "quit", "working": "running", "week": "fortnight",
    "flimsy": "fragile", "overpriced": "expensive", "never": "not once", "matched": "resembled",
    "photos": "pictures", "terrible": "awful", "noise": "racket", "stated": "promised",
    "date": "day", "grey": "gray", "box": "carton", "weighs": "measures", "listed": "advertised",
    "usual": "standard", "warranty": "guarantee", "delivered": "handed", "front": "main",
    "desk": "counter", "matches": "fits", "size": "dimensions", "buy": "order",
    "again": "once more", "highly": "strongly", "recommended": "endorsed", "thank": "thanks to",
    "family": "household", "loves": "adores", "avoid": "skip", "seller": "shop",
    "refund": "reimbursement", "waste": "loss", "money": "cash", "nothing": "naught",
    "add": "say", "comments": "remarks", "order": "purchase", "number": "reference",
}


_SYLLABLES = ("ka", "lo", "mi", "ser", "tav", "on", "bru", "el", "quin", "dor", "fa", "zel",
              "pra", "nu", "vek", "sti", "ar", "gol", "ri", "tem", "os", "bel", "cra", "un")


def pseudo_word(rng: random.Random) -> str:
    """A made-up word: each project talks of its own shops, products and places."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


@dataclass(frozen=True, slots=True)
class Item:
    """One message and its truth (an index into the project's choices)."""

    text: str
    truth: int


@dataclass(frozen=True, slots=True)
class TaskBatch:
    """The rows of a project: ``items`` its ordinary tasks and ``gold`` those imported with
    their expected answer (a share of the served tasks, and the evidence for withholding);
    ``instructions`` what the project tells its workers."""

    items: tuple[Item, ...]
    gold: tuple[Item, ...] = ()
    instructions: str = INSTRUCTIONS

    def rows(self, choices: tuple[str, ...]) -> list[dict[str, object]]:
        """The rows to import, gold first, with the expected answer in ``choices``' names."""
        gold: list[dict[str, object]] = [{"data": {"text": g.text}, "gold": choices[g.truth]}
                                         for g in self.gold]
        return gold + [{"text": i.text} for i in self.items]


def make_item(rng: random.Random, vocabulary: list[str]) -> Item:
    """A message: a number, words of its project's own vocabulary, and a feeling."""
    truth = rng.randrange(3)
    body = rng.choice((_GOOD, _BAD, _FLAT)[truth])
    end = rng.choice((_GOOD_END, _BAD_END, _FLAT_END)[truth])
    words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 9)))
    number = rng.randrange(1000, 99999)
    return Item(f"Order {number} of {words}: the {rng.choice(_ITEMS)} {body}, {end}.", truth)


def make_batch(rng: random.Random, count: int, *, gold: int = 0,
               like: TaskBatch | None = None) -> TaskBatch:
    """``count`` ordinary tasks and ``gold`` gold tasks, each a new message, with
    instructions of their own (or ``like``'s: more messages of the same project)."""
    vocabulary = [pseudo_word(rng) for _ in range(150)]
    instructions = like.instructions if like is not None else (
        f"These messages reach {' '.join(rng.choice(vocabulary) for _ in range(4))} from "
        f"{' '.join(rng.choice(vocabulary) for _ in range(6))}. {INSTRUCTIONS}")
    return TaskBatch(tuple(make_item(rng, vocabulary) for _ in range(count)),
                     tuple(make_item(rng, vocabulary) for _ in range(gold)), instructions)


def paraphrase(text: str, rng: random.Random, *, share: float = 0.3) -> str:
    """Swap about ``share`` of the words (not the numbers) for others: a synonym where
    there is one, else another word."""
    out = []
    for word in text.split(" "):
        bare = word.rstrip(".,:")
        tail = word[len(bare):]
        if bare.isdigit() or rng.random() >= share:
            out.append(word)
        else:
            out.append(SYNONYMS.get(bare) or pseudo_word(rng))
            out[-1] += tail
    return " ".join(out)


def reword(instructions: str) -> str:
    """The same instructions in other words."""
    words = instructions.split(" ")
    return " ".join(_REWORDED.get(w.rstrip(".,:"), w.rstrip(".,:")) + w[len(w.rstrip(".,:")):]
                    for w in words)


def disguise(batch: TaskBatch, rng: random.Random, *, paraphrased: bool,
             shuffled: bool) -> TaskBatch:
    """The same work made to look new: messages paraphrased, order shuffled."""
    items = [Item(paraphrase(i.text, rng), i.truth) if paraphrased else i for i in batch.items]
    gold = [Item(paraphrase(g.text, rng), g.truth) if paraphrased else g for g in batch.gold]
    if shuffled:
        rng.shuffle(items)
        rng.shuffle(gold)
    return TaskBatch(tuple(items), tuple(gold), batch.instructions)
