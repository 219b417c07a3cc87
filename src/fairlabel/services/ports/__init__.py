"""What the use cases need from the outside world, as protocols, one module per capability:
``accounts``, ``work``, ``money``, ``quality``, ``decisions``, ``voice``; ``transaction``
holds the transaction and the database that opens it.

The database adapter (``fairlabel.adapters.db``) implements them; use cases depend only on
these names. A transaction is opened with ``db.write()`` or ``db.read()`` and is rolled back
unless the use case calls ``commit()``.
"""
