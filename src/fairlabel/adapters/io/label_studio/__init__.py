"""Label Studio task JSON, both ways: answers as its results (``results.py``) and back
(``answers.py``), text offsets in its UTF-16 code units (``offsets.py``), the labeling config
that matches an export (``config.py``), the export writer (``export.py``) and the import
(``importer.py``). The shapes are described in docs/formats.md."""
