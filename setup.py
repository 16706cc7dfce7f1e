"""Shim for tools that still call setup.py; all metadata is in setup.cfg.

Building (``pip install .`` or ``pip install -e .``) also compiles the interface translations
``kiosk/translations/<lang>/LC_MESSAGES/messages.po`` to ``.mo`` files (Babel is a build
requirement, see pyproject.toml); the ``.mo`` files are not kept in git.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path(__file__).resolve().parent / "kiosk" / "translations"


def compile_catalogs() -> None:
    """Write ``messages.mo`` beside every ``messages.po`` of the kiosk's translations."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


class BuildWithCatalogs(build_py):
    """``build_py`` that compiles the translation catalogs first."""

    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
