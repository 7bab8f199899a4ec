"""Stage 3, check: validate documents against the JSON Schemas, the controlled vocabularies and each other.

May import: ``kb.problems`` and ``kb.content``.  The JSON Schemas stay in ``kb/schemas/``, because every
content file names them by path in its first line (for editors).
"""
