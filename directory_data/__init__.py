"""The listings data layer: HSDS-aligned models, write use-cases, import/export and the curated directory.

This package never imports Flask, ``kiosk`` or ``search_index``.
"""
