"""Stage 3, check: validate documents against the JSON Schemas, the controlled vocabularies and each other.

- ``validate``: the entry points (:func:`~kb.check.validate.validate`, one file, across files), the body's
  items and scope marks, links to concept pages and the concept hierarchy;
- ``schema_check``: front matter against the JSON Schema of its kind, each error explained;
- ``sources``: sources declared, cited, one source per id and per page, and who wrote them (affiliation);
- ``contributor_rules``, ``duplicates``, ``vocabulary``: the contributors' bar, organisations filed twice,
  the controlled lists.

May import: the shared vocabulary (``kb.problems``, ``kb.evidence``, ``kb.kinds``, ``kb.slug``,
``kb.suggest``) and ``kb.content``.  The JSON Schemas stay in ``kb/schemas/``, because every content file
names them by path in its first line (for editors).
"""
