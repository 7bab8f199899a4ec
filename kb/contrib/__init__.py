"""Contributors' tools: a new case from the template, a preview of a case page, the graph diff of a change, the content coverage report.

May import: every stage and ``kb.load``; only ``kb.cli`` (and the site) may import this package.
"""
