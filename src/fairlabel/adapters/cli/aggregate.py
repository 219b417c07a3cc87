"""`fairlabel aggregate`: infer one label per task from redundant worker answers."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from fairlabel.aggregation import METHODS, Aggregator, gold_accuracy, make_aggregator

LABEL_COLUMNS = ("worker", "task", "label")
GOLD_COLUMNS = ("task", "label")


class InputError(click.ClickException):
    """A problem with an input or output file; exits with status 2 like usage errors."""

    exit_code = 2


def _read_rows(handle: IO[str], path: Path, columns: Sequence[str]) -> dict[str, list[str]]:
    expected = ",".join(columns)
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise InputError(f"{path} is empty: it needs the header line `{expected}` then data rows.")
    names = [name.strip().lower() for name in header]
    missing = [c for c in columns if c not in names]
    unknown = [n for n in names if n not in columns]
    if missing or unknown or len(set(names)) != len(names):
        problems = [f"missing column(s) {', '.join(missing)}"] if missing else []
        problems += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        problems += ["repeated column names"] if len(set(names)) != len(names) else []
        raise InputError(
            f"{path}: {'; '.join(problems)} in header `{','.join(header)}`. "
            f"The first line must be `{expected}` (columns in any order, nothing else)."
        )
    table: dict[str, list[str]] = {c: [] for c in columns}
    for fields in reader:
        if not fields:
            continue
        if len(fields) != len(names):
            raise InputError(
                f"{path}, line {reader.line_num}: {len(fields)} field(s), expected "
                f"{len(names)} (`{expected}`). Quote values that contain commas."
            )
        for name, value in zip(names, fields, strict=True):
            if not value.strip():
                raise InputError(f"{path}, line {reader.line_num}: empty `{name}` value.")
            table[name].append(value.strip())
    if not table[columns[0]]:
        raise InputError(f"{path} has a header but no data rows.")
    return table


def read_csv_columns(path: Path, columns: Sequence[str]) -> dict[str, list[str]]:
    """Read a UTF-8 CSV file whose header is exactly ``columns`` (in any order).

    Values are kept as strings (surrounding spaces stripped).

    Raises:
        InputError: If the file cannot be read, is empty, has no data rows, or has
            missing, unknown or malformed columns or rows.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _read_rows(handle, path, columns)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot read {path}: {reason}. Check the path and permissions.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as a UTF-8 CSV file.") from None
    except csv.Error as error:
        raise InputError(f"{path} is not a valid CSV file: {error}.") from None


def read_gold(path: Path) -> dict[str, str]:
    """Read ``task,label`` gold rows; conflicting duplicates are an error."""
    table = read_csv_columns(path, GOLD_COLUMNS)
    gold: dict[str, str] = {}
    for task, label in zip(table["task"], table["label"], strict=True):
        if gold.setdefault(task, label) != label:
            raise InputError(
                f"{path}: task {task!r} has two different gold labels "
                f"({gold[task]!r} and {label!r}); keep one row per task."
            )
    return gold


@contextmanager
def _output(out: Path | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
        return
    try:
        handle = out.open("w", newline="", encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot write {out}: {reason}. Check the path.") from None
    with handle:
        yield handle


def write_result(model: Aggregator, tasks_in_order: Sequence[str], out: Path | None) -> None:
    """Write ``task,label,confidence`` rows, tasks in order of first appearance."""
    result = model.result_
    labels = dict(zip(result.tasks.tolist(), result.labels.tolist(), strict=True))
    confidences = dict(zip(result.tasks.tolist(), result.confidences.tolist(), strict=True))
    with _output(out) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["task", "label", "confidence"])
        for task in dict.fromkeys(tasks_in_order):
            writer.writerow([task, labels[task], f"{confidences[task]:.4f}"])


def _summary(model: Aggregator, method: str, seconds: float) -> str:
    result = model.result_
    parts = [
        f"{method}: {result.tasks.size} tasks, {model.workers_.size} workers, "
        f"{result.classes.size} classes, {seconds:.2f} s"
    ]
    if model.n_repeats_dropped_:
        parts.append(f"{model.n_repeats_dropped_} repeated answers replaced by a later one")
    n_iter = getattr(model, "n_iter_", None)
    if n_iter is not None:
        converged = getattr(model, "converged_", True)
        parts.append(f"{n_iter} iterations" + ("" if converged else " (not converged)"))
    return ", ".join(parts)


@click.command("aggregate")
@click.argument("labels_csv", metavar="LABELS.csv", type=click.Path(path_type=Path))
@click.option(
    "--method",
    type=click.Choice(list(METHODS)),
    default="ds",
    show_default=True,
    help="mv majority vote, wmv weighted vote, ds Dawid-Skene, ods one-coin DS, glad, mace.",
)
@click.option(
    "--gold",
    "gold_csv",
    type=click.Path(path_type=Path),
    help="CSV `task,label` of true labels: prints accuracy and the number of tasks scored.",
)
@click.option(
    "--out",
    "out_csv",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write `task,label,confidence` here instead of standard output.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for tie-breaking.")
def aggregate(
    labels_csv: Path, method: str, gold_csv: Path | None, out_csv: Path | None, seed: int
) -> None:
    """Aggregate worker answers in LABELS.csv (header `worker,task,label`).

    Writes one row per task, `task,label,confidence`, in order of first appearance.
    With --gold, prints `accuracy: 0.xxxx` and `scored: N` (over gold tasks with at
    least one answer) to standard output when --out is given, else to standard
    error so that standard output stays a clean CSV.
    """
    table = read_csv_columns(labels_csv, LABEL_COLUMNS)
    gold = read_gold(gold_csv) if gold_csv is not None else None
    model = make_aggregator(method, seed=seed)
    started = time.perf_counter()
    model.fit(table["task"], table["worker"], table["label"])
    elapsed = time.perf_counter() - started
    write_result(model, table["task"], out_csv)
    click.echo(_summary(model, method, elapsed), err=True)
    if gold is not None:
        accuracy, scored = gold_accuracy(model.result_.to_dict(), gold)
        if scored == 0:
            raise InputError(
                f"none of the {len(gold)} tasks in {gold_csv} appears in {labels_csv}; "
                "check that both files use the same task ids."
            )
        click.echo(f"accuracy: {accuracy:.4f}", err=out_csv is None)
        click.echo(f"scored: {scored}", err=out_csv is None)
