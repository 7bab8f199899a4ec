"""The command line (``python graph_loader.py COMMAND``): the main commands and the contributors' commands.

May import: anything in ``kb``; nothing in ``kb`` imports it.
"""
