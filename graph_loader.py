#!/usr/bin/env python3
"""Build and check the knowledge graph: `python graph_loader.py --help`."""

from kb.cli import main

if __name__ == "__main__":
    main()
