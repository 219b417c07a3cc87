"""The consensus of boxes, spans and rankings as the refit computes it: in the app server's
worker process (scipy stays out of the server), exactly as in process."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import sys
from fairlabel.adapters.compute import ProcessFit
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.quality import GoldScore, QualityTerms
from fairlabel.services.ports.quality import TaskAnswer
from fairlabel.services.ports.work import ProjectFacts

def facts(schema, method):
    return ProjectFacts(parse_schema(schema), "USD", 3, QualityTerms(consensus_method=method))

car = {"label": "car", "x": 0.1, "y": 0.1, "width": 0.2, "height": 0.2}
moved = {**car, "x": 0.12}
text = "Ada Lovelace was born in London."
ada = [{"start": 0, "end": 12, "label": "PER"}]
cases = [
    (facts({"type": "bounding_boxes", "labels": ["car"]}, "iou"),
     [TaskAnswer(1, w, b) for w, b in [(7, [car]), (8, [moved]), (9, [])]]),
    (facts({"type": "spans", "labels": ["PER"]}, "token"),
     [TaskAnswer(1, w, ada, text=text) for w in (7, 8, 9)]),
    (facts({"type": "ranking"}, "pl"),
     [TaskAnswer(1, w, {"order": o}) for w, o in [(7, [1, 0]), (8, [1, 0]), (9, [0, 1])]]),
]
remote = ProcessFit()
try:
    results = [remote(f, answers, {9: GoldScore(0, 1)}, 0) for f, answers in cases]
finally:
    remote.close()
assert "scipy" not in sys.modules, "a structured fit ran in the server process"
from fairlabel.services.quality import fit_consensus
for (f, answers), result in zip(cases, results):
    assert result == fit_consensus(f, answers, {9: GoldScore(0, 1)}, 0), result
(box_rows, box_skills), (span_rows, _), (rank_rows, _) = results
assert box_rows[0].consensus == [{**car, "x": 0.11}]  # two of three drew it: median edges
assert span_rows[0].consensus == ada and span_rows[0].confidence == 1.0
assert rank_rows[0].consensus == {"order": [1, 0]}
assert [s.answers for s in box_skills] == [1, 1, 2]  # worker 9: one answer, one gold
print("ok")
"""


def test_structured_fits_run_in_the_worker_process_exactly_as_in_process() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
