"""Task pools and the edits that make a variant of a project: reword, rename choices."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from .records import Domain, Family, Project

POOL = 60
"""Tasks drawn from a domain's templates."""
SAMPLE = 30
"""Tasks a project shows (the other 30 of the pool are the ``resample`` case)."""

SYNONYMS = {
    "read": "go through", "each": "every", "choose": "select", "select": "pick",
    "carefully": "attentively", "label": "tag", "text": "passage", "answer": "response",
    "task": "item", "please": "kindly", "do not": "don't", "if": "when", "should": "must",
    "write": "type", "rate": "score", "decide": "determine", "whether": "if",
    "contains": "includes", "mark": "flag", "unsure": "uncertain", "only": "just",
    "good": "fine", "bad": "poor", "use": "apply", "example": "instance",
}
EXTRA_SENTENCES = [
    "Take your time and re-read anything that is unclear.",
    "Your answers are reviewed by a second worker from time to time.",
    "Thank you for helping us build a better data set.",
]
NEW_NAMES = ["Nova", "Orbit", "Helix", "Lumen", "Vega", "Atlas", "Quill", "Sable"]


def fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    """Fill ``{slot}`` placeholders with random entries."""
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)


def make_pool(domain: Domain, rng: random.Random) -> list[dict[str, Any]]:
    """Draw ``POOL`` tasks from a domain's templates."""
    pool = []
    for _ in range(POOL):
        task: dict[str, Any] = {}
        for name, templates in domain["fields"].items():
            n = rng.randint(1, min(3, len(templates)))
            task[name] = " ".join(fill(t, domain["slots"], rng) for t in rng.sample(templates, n))
        pool.append(task)
    return pool


def reword(text: str, rng: random.Random) -> str:
    """Synonym swaps, sentence reorder, one sentence removed and one added."""
    for word, other in SYNONYMS.items():
        text = re.sub(rf"(?<!{{)\b{word}\b(?!}})", other, text, flags=re.I)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    head, rest = sentences[0], sentences[1:]
    rng.shuffle(rest)
    if len(rest) > 3:
        rest.pop(rng.randrange(len(rest)))
    rest.insert(rng.randrange(len(rest) + 1), rng.choice(EXTRA_SENTENCES))
    return " ".join([head, *rest])


def rename_choices(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Rename (prefix/case/synonym) and reorder the choices of a choice schema."""
    if "choices" not in schema:
        return schema
    styles: list[Callable[[str], str]] = [
        lambda c: c.upper(), lambda c: f"label {c}", lambda c: c.replace(" ", "_") + "!"]
    style = rng.choice(styles)
    choices = [style(c) for c in schema["choices"]]
    rng.shuffle(choices)
    return {**schema, "choices": choices}


def project(family: Family, domain: Domain, name: str,
            samples: list[dict[str, Any]], *, redundancy: int = 3,
            instructions: str | None = None, schema: dict[str, Any] | None = None
            ) -> Project:
    """One project record."""
    text = instructions if instructions is not None else family["instructions"]
    return {
        "name": name,
        "redundancy": redundancy,
        "instructions": text.format(name=name, **domain.get("vars", {})),
        "schema": schema if schema is not None else family["schema"],
        "task_samples": samples,
    }


# The ``paraphrase`` kinds: about 30 % of the content words of the task texts swapped for a
# synonym. Words without one in ``DATA_SYNONYMS`` get a replacement from ``REPLACEMENTS``
# (one per word and project, as a paraphraser keeps its choices): to a word-level
# fingerprint a word absent from the data weighs exactly as a true synonym would.
PARAPHRASE_SHARE = 0.3
STOPWORDS = frozenset(str.split(
    "a an the and or but if then so of to in on at by for with from as is are was were be been "
    "it its this that these those i you he she we they me my your our their his her them us "
    "not no do does did have has had will would can could should may might must there here "
    "what which who whom how when where why all any some each every just than too very "
    "about after before into over under up down out off again once"))
DATA_SYNONYMS = {
    "items": "entries", "return": "give back", "first": "initial", "result": "outcome",
    "example": "instance", "minutes": "mins", "instead": "rather", "write": "compose",
    "please": "kindly", "select": "choose", "make": "create", "table": "grid", "new": "fresh",
    "near": "close to", "buy": "purchase", "prices": "rates", "password": "passphrase",
    "animals": "creatures", "cooks": "chefs", "cook": "prepare", "fell": "dropped",
    "customer": "client", "hour": "sixty minutes", "date": "day", "costs": "expenses",
    "open": "launch", "many": "numerous", "wait": "hold on", "list": "array", "get": "obtain",
    "guess": "suppose", "help": "assist", "five": "5", "explained": "described",
    "sure": "certain", "struggling": "battling", "tell": "inform", "easiest": "simplest",
    "way": "method", "best": "finest", "seen": "spotted", "announced": "declared",
    "tension": "strain", "shop": "store", "function": "routine", "fix": "repair",
    "bug": "defect", "fails": "breaks", "find": "locate", "template": "pattern",
    "coat": "jacket", "map": "dictionary", "finds": "discovers", "total": "sum",
    "online": "on the web", "depends": "relies", "doctor": "physician", "key": "lock code",
    "email": "mail", "works": "functions", "expect": "anticipate", "reported": "stated",
    "said": "stated", "according": "per", "met": "encountered", "officials": "authorities",
    "time": "moment", "try": "attempt", "bread": "loaf", "keep": "retain", "shares": "stocks",
    "half": "fifty percent", "replace": "swap", "longest": "lengthiest", "talks": "discussions",
    "continue": "carry on", "eating": "consuming", "cheap": "inexpensive", "move": "shift",
    "season": "period", "serving": "portion", "cream": "custard", "check": "verify",
    "weather": "climate", "team": "squad", "home": "house", "query": "request",
    "symptoms": "signs", "fake": "bogus", "believe": "think", "deadline": "due date",
    "observers": "watchers", "say": "state", "affects": "impacts", "flights": "air trips",
    "brand": "make", "minister": "secretary", "chair": "seat", "claim": "assert",
    "budget": "spending plan", "train": "railway", "sales": "revenue", "removes": "drops",
    "duplicates": "repeats", "salary": "pay", "often": "frequently", "comes": "arrives",
    "model": "version", "ships": "vessels", "city": "town", "old": "aged", "today": "now",
    "customers": "clients", "rise": "increase", "letter": "note", "users": "members",
    "orders": "purchases", "work": "operate", "tomorrow": "next day", "pills": "tablets",
    "tax": "levy", "record": "log", "profits": "earnings", "flat": "apartment",
    "bring": "fetch", "order": "purchase", "still": "yet", "free": "gratis",
    "numbers": "figures", "chief": "head", "running": "operating", "council": "board",
    "cup": "mug", "took": "needed", "click": "tap", "hours": "hrs", "parcel": "package",
    "arrives": "comes", "cuts": "reductions", "planned": "scheduled", "short": "brief",
    "story": "tale", "place": "spot", "long": "lengthy", "urgent": "pressing",
    "reply": "answer", "higher": "greater", "days": "daytimes", "experience": "background",
    "meadow": "field", "playing": "frolicking", "week": "seven days", "empty": "blank",
    "final": "last", "patient": "sufferer", "rest": "remainder", "add": "include",
    "wins": "triumphs", "loses": "fails", "want": "wish", "take": "grab", "speed": "pace",
    "count": "tally", "join": "combine", "need": "require", "guide": "manual",
    "sleeping": "dozing", "annual": "yearly", "region": "area", "slow": "sluggish",
    "fair": "reasonable", "sorted": "ordered", "national": "countrywide",
}
REPLACEMENTS = (
    "notably", "broadly", "venture", "ledger", "quorum", "tangent", "lattice", "harbor",
    "beacon", "cobalt", "meridian", "orchard", "pennant", "quartz", "rivulet", "saffron",
    "thicket", "umber", "vellum", "wicker", "yonder", "zephyr", "alcove", "brimstone",
    "cascade", "dapple", "ember", "fathom", "gossamer", "hearth", "inkling", "jubilee",
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def paraphrase(samples: list[dict[str, Any]], rng: random.Random,
               share: float = PARAPHRASE_SHARE) -> list[dict[str, Any]]:
    """The same tasks with about ``share`` of the content words of their texts swapped for
    a synonym (each occurrence drawn on its own); other values are kept."""
    chosen: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if low in STOPWORDS or len(low) < 3 or rng.random() >= share:
            return word
        if low not in chosen:
            chosen[low] = DATA_SYNONYMS.get(low) or rng.choice(REPLACEMENTS)
        return chosen[low]

    def rewrite(value: Any) -> Any:
        if isinstance(value, str) and not value.startswith(("media:", "http")):
            return _WORD.sub(swap, value)
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        return value

    return [rewrite(sample) for sample in samples]
