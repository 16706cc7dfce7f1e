"""``kiosk import`` in a process of its own that stops halfway, to be SIGKILLed (``tests/test_fault_import.py``).

Run as ``python tests/import_child.py PATH SOURCE`` with ``KIOSK_DATABASE_URL`` and ``KIOSK_HOME``
set. Once the importer has written the organizations and services (inside its one transaction,
not committed) it prints ``halfway`` and waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory_data.hsds.loader import Loader  # noqa: E402
from kiosk.cli.commands import main  # noqa: E402

_write = Loader._write


def _write_then_stop(self: Any, name: str) -> None:
    _write(self, name)
    if name == "service":
        self.session.flush()
        print("halfway", flush=True)
        while True:
            time.sleep(60)


if __name__ == "__main__":
    Loader._write = _write_then_stop  # type: ignore[method-assign]
    main(["import", sys.argv[1], "--source", sys.argv[2]])
