"""The Whoosh engine: the only code that knows how Whoosh stores an index.

Schema and analyzers, the segment writer, the segment readers and word-vector views, the index store
(open a state, refresh, check in and out searchers), integrity checks of the files on disk, the index
directory's layout and its lock. Nothing outside this package uses Whoosh's private names.
"""
