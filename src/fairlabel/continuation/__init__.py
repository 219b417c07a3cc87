"""The continuation guard's numeric core (charter rule 5, the Musen → Nova case).

A new project is compared with the requester's projects that are serving, ended, paused or
had a price cut in the last 90 days (and, through the LSH band keys, with other requesters'
projects that stopped), over its instructions, label schema and task data.
:func:`fingerprint` turns a :class:`ProjectText` into a :class:`Fingerprint` (per-part
shingle sets and a MinHash signature); :class:`ContinuationIndex` finds
candidates with MinHash LSH and confirms them with the exact :func:`similarity`. A
combined score of at least :data:`DEFAULT_THRESHOLD` makes the new project a
continuation. No framework, web or database code here: numpy and datasketch only.
"""

from fairlabel.continuation.fingerprint import (
    WEIGHTS,
    Fingerprint,
    ProjectText,
    fingerprint,
    normalise,
    signature_from_bytes,
    signature_to_bytes,
)
from fairlabel.continuation.index import (
    DEFAULT_THRESHOLD,
    ContinuationIndex,
    Match,
    Similarity,
    band_keys,
    band_keys_of_signature,
    jaccard,
    similarity,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "WEIGHTS",
    "ContinuationIndex",
    "Fingerprint",
    "Match",
    "ProjectText",
    "Similarity",
    "band_keys",
    "band_keys_of_signature",
    "fingerprint",
    "jaccard",
    "normalise",
    "signature_from_bytes",
    "signature_to_bytes",
    "similarity",
]
