"""Index upkeep: follow the change journal, sync and rebuild the index, find and repair drift."""
