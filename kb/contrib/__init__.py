"""Contributors' tools: a new case from the template, a case page's preview, a change's graph diff, the coverage report.

May import: every stage and ``kb.load``; only ``kb.cli`` (and the site) may import this package.
"""
