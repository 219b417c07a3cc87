"""The answers in the form EM sums over: a task-by-(worker, label) incidence, as sorted
arrays (small fits: numpy alone) or as a scipy sparse matrix (large fits). Both give the same
sums; see ``_em`` for the E- and M-steps that use them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation import scale
from fairlabel.aggregation._encoding import Answers, FloatArray


def _segments(keys: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.intp],
                                                 NDArray[np.int64]]:
    """A stable sort of ``keys``: the order, where each present key starts, and the keys."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if keys.size else (
        np.zeros(0, dtype=np.intp))
    return order, starts, ordered[starts]


@dataclass(frozen=True, eq=False)
class SortedIncidence:
    """Answers as (task, column) pairs, column = ``worker * n_classes + label``.

    Both sums over answers — per task, and per column — are one ``np.add.reduceat`` over
    answers sorted once by that key: the work of a sparse matrix product, with numpy
    alone (a process that fits consensus never loads scipy).
    """

    tasks: NDArray[np.int64]
    columns: NDArray[np.int64]
    n_tasks: int
    n_workers: int
    n_classes: int
    # Answers sorted by task: their columns, and where each task starts.
    _columns_by_task: NDArray[np.int64] = field(repr=False)
    _task_starts: NDArray[np.intp] = field(repr=False)
    _present_tasks: NDArray[np.int64] = field(repr=False)
    # Answers sorted by column: their tasks, and where each column starts.
    _tasks_by_column: NDArray[np.int64] = field(repr=False)
    _column_starts: NDArray[np.intp] = field(repr=False)
    _present_columns: NDArray[np.int64] = field(repr=False)

    @classmethod
    def build(cls, tasks: NDArray[np.int64], columns: NDArray[np.int64], n_tasks: int,
              n_workers: int, n_classes: int) -> SortedIncidence:
        by_task, task_starts, present_tasks = _segments(tasks)
        by_column, column_starts, present_columns = _segments(columns)
        return cls(tasks, columns, n_tasks, n_workers, n_classes, columns[by_task],
                   task_starts, present_tasks, tasks[by_column], column_starts,
                   present_columns)

    @classmethod
    def from_answers(cls, answers: Answers) -> SortedIncidence:
        """Encode the answers (one pair per answer)."""
        k = answers.n_classes
        columns = answers.worker_codes.astype(np.int64) * k + answers.label_codes
        return cls.build(answers.task_codes.astype(np.int64), columns, answers.n_tasks,
                         answers.n_workers, k)

    def log_scores(self, log_confusions: FloatArray) -> FloatArray:
        """Return ``sum over answers of log pi[w, k, label]`` per task and class ``k``."""
        k = self.n_classes
        weights = log_confusions.transpose(0, 2, 1).reshape(self.n_workers * k, k)
        scores = np.zeros((self.n_tasks, k))
        if self._task_starts.size:
            gathered = np.take(weights, self._columns_by_task, axis=0)
            scores[self._present_tasks] = np.add.reduceat(gathered, self._task_starts, axis=0)
        return scores

    def confusion_counts(self, posteriors: FloatArray) -> FloatArray:
        """Expected counts ``[w, true k, answer l]`` under task ``posteriors``."""
        k = self.n_classes
        counts = np.zeros((self.n_workers * k, k))  # row (w, l), column k
        if self._column_starts.size:
            gathered = np.take(posteriors, self._tasks_by_column, axis=0)
            counts[self._present_columns] = np.add.reduceat(gathered, self._column_starts,
                                                            axis=0)
        return counts.reshape(self.n_workers, k, k).transpose(0, 2, 1)

    def answers_per_task(self) -> NDArray[np.intp]:
        """Number of answers of each task (one per worker once repeats are dropped)."""
        return np.bincount(self.tasks, minlength=self.n_tasks)

    def vote_counts(self) -> FloatArray:
        """Answers per task and label (``Answers.vote_counts``)."""
        k = self.n_classes
        flat = self.tasks * k + self.columns % k
        counts = np.bincount(flat, minlength=self.n_tasks * k)
        return counts.astype(np.float64).reshape(self.n_tasks, k)

    def rows(self, keep: NDArray[np.bool_]) -> SortedIncidence:
        """The answers of the tasks selected by the boolean mask ``keep`` (renumbered)."""
        new_code = np.cumsum(keep) - 1
        mask = keep[self.tasks]
        return SortedIncidence.build(new_code[self.tasks[mask]], self.columns[mask],
                               int(keep.sum()), self.n_workers, self.n_classes)

    def worker_totals(self) -> FloatArray:
        """Answers per worker and label, shape ``(n_workers, n_classes)``."""
        totals = np.bincount(self.columns, minlength=self.n_workers * self.n_classes)
        return totals.astype(np.float64).reshape(self.n_workers, self.n_classes)


class SparseIncidence:
    """Answers as a sparse ``(n_tasks, n_workers * n_classes)`` 0/1 matrix (scipy).

    Faster than ``SortedIncidence`` on large fits (one fused pass per product); scipy is
    imported only when a fit is that large.
    """

    def __init__(self, matrix: Any, n_workers: int, n_classes: int) -> None:
        self.matrix = matrix
        self.n_workers = n_workers
        self.n_classes = n_classes

    @classmethod
    def from_answers(cls, answers: Answers) -> SparseIncidence:
        """The matrix in canonical form (column indices sorted in each row), built directly:
        the same matrix scipy makes from (row, column) pairs, without their copies (the
        answers' columns are distinct in each row, every value is 1): the pairs are sorted
        as one key in place, a sort that needs no buffer besides."""
        import scipy.sparse as sp

        k = answers.n_classes
        width = answers.n_workers * k
        index = np.int64 if max(width, answers.n_answers) > np.iinfo(np.int32).max else np.int32
        columns: NDArray[np.signedinteger[Any]] = answers.worker_codes.astype(index)
        columns *= k
        columns += answers.label_codes
        key = answers.task_codes.astype(np.int64)
        key *= width
        key += columns
        del columns
        key.sort()
        np.remainder(key, width, out=key)
        indices = key.astype(index)
        del key
        indptr = np.zeros(answers.n_tasks + 1, dtype=index)
        np.cumsum(np.bincount(answers.task_codes, minlength=answers.n_tasks), out=indptr[1:])
        ones: FloatArray = np.ones(answers.n_answers)
        matrix: Any = sp.csr_array((ones, indices, indptr),
                                   shape=(answers.n_tasks, answers.n_workers * k))
        matrix.sort_indices()
        return cls(matrix, answers.n_workers, k)

    def vote_counts(self) -> FloatArray:
        """Answers per task and label (``Answers.vote_counts``), as one product."""
        k = self.n_classes
        labels = np.tile(np.eye(k), (self.n_workers, 1))  # column w * k + l -> label l
        return np.asarray(self.matrix @ labels)

    def log_scores(self, log_confusions: FloatArray) -> FloatArray:
        k = self.n_classes
        weights = log_confusions.transpose(0, 2, 1).reshape(self.n_workers * k, k)
        return np.asarray(self.matrix @ weights)

    def confusion_counts(self, posteriors: FloatArray) -> FloatArray:
        k = self.n_classes
        counts = np.asarray(self.matrix.T @ posteriors)  # row (w, l), column k
        return counts.reshape(self.n_workers, k, k).transpose(0, 2, 1)

    def answers_per_task(self) -> NDArray[np.intp]:
        counts: NDArray[np.intp] = np.diff(self.matrix.indptr)
        return counts

    def rows(self, keep: NDArray[np.bool_]) -> SparseIncidence:
        import scipy.sparse as sp

        return SparseIncidence(sp.csr_array(self.matrix[keep]), self.n_workers, self.n_classes)

    def worker_totals(self) -> FloatArray:
        totals = np.asarray(self.matrix.sum(axis=0), dtype=np.float64).reshape(-1)
        return totals.reshape(self.n_workers, self.n_classes)


Incidence = SortedIncidence | SparseIncidence
"""The answers in the form the E- and M-steps sum over; both give the same sums."""

def make_incidence(answers: Answers) -> Incidence:
    if answers.n_answers >= scale.SPARSE_FROM_ANSWERS:
        return SparseIncidence.from_answers(answers)
    return SortedIncidence.from_answers(answers)
