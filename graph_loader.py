#!/usr/bin/env python3
"""Build and check the knowledge graph: `python graph_loader.py --help`."""

import sys

from kb.cli.main import main
from kb.problems import KbError

if __name__ == "__main__":
    try:
        main()
    except KbError as err:  # content and store problems are the user's to fix: no traceback
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
