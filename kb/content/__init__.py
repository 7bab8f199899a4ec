"""Stage 1–2, content: find the content files, split front matter from body, parse both into documents.

May import: ``kb.problems`` only.  Nothing here knows about validation, the graph or the stores.
"""
