"""Stage 6, queries: what can be asked of the graph — named queries written once in Cypher, and the console's rules.

May import: ``kb.problems`` and ``kb.graph`` (its schema).  The stores run these texts; nothing here runs them.
"""

from kb.queries.catalogue import QUERIES, cypher_for

__all__ = ["QUERIES", "cypher_for"]
