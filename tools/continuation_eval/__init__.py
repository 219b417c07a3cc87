"""Build the continuation guard's evaluation set (deterministic, seeded).

Writes ``src/fairlabel/continuation/data/evaluation.json``: pairs ``(old, new)`` of
projects of one requester, each labelled ``continuation`` (true/false) with the ``kind`` of
variant. Run from the repository root::

    .venv/bin/python -m tools.continuation_eval

Fifteen base project families are written by hand (``choice.py``, ``graded.py``):
instructions (with the project's name in them), a label schema, and a *source* of task
data — sentence templates with slots, from which a pool of 60 tasks is drawn; a project
shows 30 of them. Each family has a second domain for the same instruction template (the
"same template, other domain" distinct case); four have a version in another language
(``families.py``).

Continuation kinds (``pairs.py``, with the edits of ``variants.py``): ``rename`` (new name
in the instructions, other redundancy), ``reword`` (synonyms swapped, sentences reordered,
one removed, one added), ``resample`` (the other 30 tasks of the same pool), ``choices``
(choices renamed and reordered) or, for types without choices, ``shuffle`` (the same tasks
shuffled and the name changed), ``combined`` (all of the above at once).

Distinct kinds: ``template_domain`` (same instruction template, other domain and data),
``task_type`` (same instructions and data, another task type), ``language`` (the same kind
of work in another language), ``other_project`` (another project of the same type).

Modules: ``records.py`` (shapes), ``choice.py`` and ``graded.py`` (the families),
``families.py`` (their order and the other languages), ``variants.py`` (task pools and
edits), ``pairs.py`` (the pairs, seeded), ``output.py`` (file text, summary),
``__main__.py`` (command line).
"""
