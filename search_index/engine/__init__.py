"""The Whoosh engine: the only code that imports Whoosh or knows how it stores an index.

Schema and analyzers, Whoosh's writer taken safely and segments written apart, the segment
readers and word-vector views, the index store (open an index, refresh and pool searchers), integrity
checks of the files on disk, the index directory's layout and its lock.
``setup.cfg`` forbids Whoosh imports elsewhere and ``tests/test_layers.py`` its private names.
"""
