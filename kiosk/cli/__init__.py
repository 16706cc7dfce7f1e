"""The ``kiosk`` command line: serve, init, import/export, index upkeep, users, backups, referrals."""
