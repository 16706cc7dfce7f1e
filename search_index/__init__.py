"""The Whoosh search index: schema, listing -> document mapping, query understanding, ranking,
commit-safe sync, rebuild and repair. Imports ``directory_data`` only; never Flask or ``kiosk``.
"""
