"""The one import pipeline for data values; every format plugs in as a reader.

A reader turns a file (and an optional mapping) into a stream of ``ParsedValue`` (or
``RowError`` for a line it cannot read at all); the pipeline resolves codes, validates, writes
and records the batch. See ``base.py`` for the contract.
"""
