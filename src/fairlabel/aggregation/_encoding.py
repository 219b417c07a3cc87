"""Turn long-format answers ``(task, worker, label)`` into integer codes.

Every algorithm works on three parallel ``int32`` code arrays plus the sorted
vocabularies that map codes back to the original values. Encoding is independent of
row order: vocabularies are sorted, so a shuffled input gives the same codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

Key: TypeAlias = str | int
"""A task, worker or label identifier as given by the caller."""

LabelMap: TypeAlias = Mapping[Any, Any]
"""``{task: label}``; keys and values are task ids and labels (``Key``). ``Any``
because ``Mapping`` is invariant in its key type: a ``dict[str, str]`` must fit."""

Column: TypeAlias = Sequence[Key] | Sequence[float] | NDArray[Any]
"""One column of long-format answers: a sequence or a one-dimensional array."""

Codes: TypeAlias = NDArray[np.int32]
FloatArray: TypeAlias = NDArray[np.float64]

_DENSE_RANGE_FACTOR = 4


def as_column(values: Column, name: str) -> NDArray[Any]:
    """Return ``values`` as a one-dimensional array of ints, floats, bools or strings.

    Args:
        values: The column to check.
        name: Column name used in error messages.

    Raises:
        ValueError: If the column is not one-dimensional or holds missing values.
        TypeError: If the values are of an unsupported type.
    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    kind = array.dtype.kind
    if kind == "O":
        if any(value is None for value in array.tolist()):
            raise ValueError(f"{name} contains missing values (None); drop those rows first")
        array = array.astype(str)
    elif kind == "S":
        array = array.astype(str)
    elif kind == "f" and bool(np.isnan(array).any()):
        raise ValueError(f"{name} contains NaN; drop those rows first")
    elif array.dtype.kind not in "iubfU":
        raise TypeError(f"{name} must hold strings or numbers, got dtype {array.dtype}")
    return array


def encode(values: Column, name: str) -> tuple[Codes, NDArray[Any]]:
    """Encode a column as ``int32`` codes into its sorted vocabulary.

    Numeric arrays over a dense range use an O(n) counting encoder; strings and
    Python sequences go through a dict (much faster than sorting long strings);
    only the vocabulary is sorted.

    Args:
        values: The column to encode.
        name: Column name used in error messages.

    Returns:
        ``(codes, vocabulary)`` with ``vocabulary[codes] == values``.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "iubf":
        return _encode_numeric(as_column(values, name))
    items = values.tolist() if isinstance(values, np.ndarray) else values
    try:
        distinct = list(dict.fromkeys(items))
    except TypeError as error:
        raise TypeError(f"{name} must hold strings or numbers: {error}") from None
    index = dict(zip(distinct, range(len(distinct)), strict=True))
    codes = np.fromiter(map(index.__getitem__, items), np.int32, len(items))
    vocabulary, order = np.unique(as_column(distinct, name), return_inverse=True)
    return order.reshape(-1).astype(np.int32)[codes], vocabulary


def _encode_numeric(array: NDArray[Any]) -> tuple[Codes, NDArray[Any]]:
    if array.dtype.kind in "iu" and array.size:
        low, high = int(array.min()), int(array.max())
        if high - low <= _DENSE_RANGE_FACTOR * array.size:
            shifted = (array - low).astype(np.intp, copy=False)
            present = np.bincount(shifted, minlength=high - low + 1) > 0
            lookup = (np.cumsum(present) - 1).astype(np.int32)
            vocabulary = (np.flatnonzero(present) + low).astype(array.dtype)
            return lookup[shifted], vocabulary
    vocabulary, inverse = np.unique(array, return_inverse=True)
    return inverse.reshape(-1).astype(np.int32), vocabulary


def encode_with_vocabulary(
    values: Column, vocabulary: Column, name: str, *, allow_unknown: bool = False
) -> tuple[Codes, NDArray[Any]]:
    """Encode a column against a declared vocabulary (e.g. the full label set).

    Args:
        values: The column to encode.
        vocabulary: Every allowed value; may include values that never occur.
        name: Column name used in error messages.
        allow_unknown: Give code -1 to values outside the vocabulary instead of
            raising.

    Returns:
        ``(codes, sorted vocabulary)``.

    Raises:
        ValueError: If a value is not in the vocabulary and ``allow_unknown`` is false.
    """
    array = as_column(values, name)
    vocab = np.unique(as_column(vocabulary, f"declared {name}"))
    if vocab.size == 0:
        raise ValueError(f"the declared {name} vocabulary is empty")
    if (array.dtype.kind == "U") != (vocab.dtype.kind == "U"):
        array, vocab = array.astype(str), np.unique(vocab.astype(str))
    codes = np.searchsorted(vocab, array).clip(0, vocab.size - 1).astype(np.int32)
    unknown = vocab[codes] != array
    if bool(unknown.any()):
        if not allow_unknown:
            examples = ", ".join(repr(v) for v in np.unique(array[unknown])[:5].tolist())
            raise ValueError(f"{name} not in the declared vocabulary: {examples}")
        codes[unknown] = -1
    return codes, vocab


def last_answer_of_each_pair(tasks: Codes, workers: Codes, n_tasks: int) -> NDArray[np.intp]:
    """Row indices to keep so that each ``(worker, task)`` pair keeps its last answer.

    Returns all rows (``arange``) when no pair repeats; the check costs one sort.
    """
    key = _pair_keys(tasks, workers, n_tasks)
    key.sort()  # in place: one array of keys at a time (a million answers: 8 MB each)
    repeated = bool((key[1:] == key[:-1]).any())
    size = key.size
    del key
    if not repeated:
        return np.arange(size)
    key = _pair_keys(tasks, workers, n_tasks)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    is_last = np.ones(key.size, dtype=bool)
    is_last[:-1] = ordered[1:] != ordered[:-1]
    return np.sort(order[is_last])


def _pair_keys(tasks: Codes, workers: Codes, n_tasks: int) -> NDArray[np.int64]:
    """``worker * n_tasks + task`` of each answer, computed in one array."""
    key = workers.astype(np.int64)
    key *= n_tasks
    key += tasks
    return key


def _encode_ids(tasks: Column, workers: Column,
                labels: int) -> tuple[Codes, Codes, NDArray[Any], NDArray[Any]]:
    """The task and worker columns encoded, after checking the three columns' lengths."""
    lengths = {len(tasks), len(workers), labels}
    if len(lengths) != 1:
        raise ValueError(f"tasks, workers and labels differ in length: {sorted(lengths)}")
    if lengths == {0}:
        raise ValueError("no answers: tasks, workers and labels are empty")
    task_codes, task_vocab = encode(tasks, "tasks")
    worker_codes, worker_vocab = encode(workers, "workers")
    return task_codes, worker_codes, task_vocab, worker_vocab


def _encode_labels(labels: Column, classes: Column | None) -> tuple[Codes, NDArray[Any]]:
    if classes is None:
        return encode(labels, "labels")
    return encode_with_vocabulary(labels, classes, "labels")


@dataclass(frozen=True, eq=False)
class Answers:
    """Long-format answers encoded as integer codes.

    Attributes:
        task_codes: Task code of each answer, ``int32``.
        worker_codes: Worker code of each answer, ``int32``.
        label_codes: Label code of each answer, ``int32``.
        tasks: Sorted task vocabulary (``tasks[code]`` is the original id).
        workers: Sorted worker vocabulary.
        classes: Sorted label vocabulary, possibly with labels nobody chose.
        n_repeats_dropped: Answers dropped because their ``(worker, task)`` pair
            was answered again later (the last answer of a pair is kept).
    """

    task_codes: Codes
    worker_codes: Codes
    label_codes: Codes
    tasks: NDArray[Any]
    workers: NDArray[Any]
    classes: NDArray[Any]
    n_repeats_dropped: int = 0

    @classmethod
    def from_sequences(
        cls,
        tasks: Column,
        workers: Column,
        labels: Column,
        *,
        classes: Column | None = None,
    ) -> Answers:
        """Encode three parallel columns, keeping the last answer of a repeated pair.

        Args:
            tasks: Task id of each answer (strings or ints).
            workers: Worker id of each answer.
            labels: Label of each answer.
            classes: Optional full label set, to include labels nobody chose.

        Raises:
            ValueError: On empty input, unequal lengths, missing values or labels
                outside ``classes``.
        """
        task_codes, worker_codes, task_vocab, worker_vocab = _encode_ids(tasks, workers,
                                                                         len(labels))
        label_codes, class_vocab = _encode_labels(labels, classes)
        return cls(
            task_codes, worker_codes, label_codes, task_vocab, worker_vocab, class_vocab
        ).without_repeats()

    @classmethod
    def from_label_codes(
        cls,
        tasks: Column,
        workers: Column,
        label_codes: Codes,
        labels: Column,
        *,
        classes: Column | None = None,
        keep_repeats: bool = False,
    ) -> Answers:
        """Like ``from_sequences``, each answer's label given as its index into ``labels``,
        the distinct labels answered: each label is encoded once, not once per answer (a
        million answers over three labels stay three integer arrays). The encoding is the one
        ``from_sequences`` gives for ``labels[label_codes]``.

        Args:
            tasks: Task id of each answer (an integer array is encoded without a copy to
                Python objects).
            workers: Worker id of each answer.
            label_codes: Index into ``labels`` of each answer's label.
            labels: Every label some answer gave, each once.
            classes: Optional full label set, to include labels nobody chose.
            keep_repeats: Keep every answer of a repeated ``(worker, task)`` pair (to count
                each answer; ``without_repeats`` gives what estimators fit).
        """
        task_codes, worker_codes, task_vocab, worker_vocab = _encode_ids(tasks, workers,
                                                                         len(label_codes))
        distinct_codes, class_vocab = _encode_labels(labels, classes)
        answers = cls(task_codes, worker_codes, distinct_codes[label_codes], task_vocab,
                      worker_vocab, class_vocab)
        return answers if keep_repeats else answers.without_repeats()

    def without_repeats(self) -> Answers:
        """These answers with only the last answer of each repeated ``(worker, task)`` pair
        (``self`` when no pair repeats: the same arrays)."""
        keep = last_answer_of_each_pair(self.task_codes, self.worker_codes, self.n_tasks)
        dropped = self.task_codes.size - keep.size
        if not dropped:
            return self
        return Answers(self.task_codes[keep], self.worker_codes[keep], self.label_codes[keep],
                       self.tasks, self.workers, self.classes, self.n_repeats_dropped + dropped)

    @property
    def n_answers(self) -> int:
        """Number of answers kept."""
        return int(self.task_codes.size)

    @property
    def n_tasks(self) -> int:
        """Number of distinct tasks."""
        return int(self.tasks.size)

    @property
    def n_workers(self) -> int:
        """Number of distinct workers."""
        return int(self.workers.size)

    @property
    def n_classes(self) -> int:
        """Number of classes (observed or declared)."""
        return int(self.classes.size)

    def vote_counts(self, weights: FloatArray | None = None) -> FloatArray:
        """Return the ``(n_tasks, n_classes)`` matrix of (weighted) votes.

        Args:
            weights: Optional weight per worker; each answer counts its worker's weight.
        """
        per_answer = None if weights is None else weights[self.worker_codes]
        flat = self.task_codes.astype(np.intp)  # one array of the answers' size at a time
        flat *= self.n_classes
        flat += self.label_codes
        counts = np.bincount(flat, weights=per_answer, minlength=self.n_tasks * self.n_classes)
        del flat
        return counts.astype(np.float64, copy=False).reshape(self.n_tasks, self.n_classes)
