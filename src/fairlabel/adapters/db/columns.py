"""Reading many rows into numpy arrays: arrays of one value per row filled partition by
partition, JSON values coded into a list of the distinct ones (numpy is imported by the
reads that use these alone)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fairlabel.adapters.db.rows import decoded_json

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def coded_json(texts: Iterable[str | None], count: int, code_of: dict[str | None, int],
               values: list[Any], shared: int) -> NDArray[np.int32]:
    """Each JSON text's code into ``values``: a text first seen is decoded and appended
    (remembered while ``code_of`` holds fewer than ``shared`` texts)."""
    import numpy as np

    codes = np.empty(count, dtype=np.int32)
    for i, text in enumerate(texts):
        code = code_of.get(text)
        if code is None:
            code = len(values)
            values.append(decoded_json([text])[0])
            if len(code_of) < shared:
                code_of[text] = code
        codes[i] = code
    return codes


class Columns:
    """Arrays of one value per row, filled partition by partition: allocated once for the rows
    expected (grown in place should more come), trimmed in place at the end, so that no
    partition's arrays are kept to be joined."""

    def __init__(self, expected: int, *dtypes: type[np.generic]) -> None:
        import numpy as np

        self.arrays: list[NDArray[Any]] = [np.empty(max(expected, 1), dtype) for dtype in dtypes]
        self.size = 0

    def extend(self, count: int) -> tuple[int, int]:
        """Room for ``count`` more rows: where they go."""
        start, self.size = self.size, self.size + count
        if self.size > self.arrays[0].size:
            for array in self.arrays:
                array.resize(self.size + self.size // 8, refcheck=False)
        return start, self.size

    def trim(self) -> None:
        """The arrays cut to the rows filled."""
        for array in self.arrays:
            array.resize(self.size, refcheck=False)
