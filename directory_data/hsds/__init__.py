"""Open Referral HSDS: import (1.1 and 3.0, tabular and JSON) and export (3.0 JSON and CSV)."""
