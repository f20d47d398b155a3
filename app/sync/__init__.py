"""Laptops that work offline and sync with the office server (issue 16). No Qt.

- `laptop`: on a laptop's SQLite, its identity, pull cursor and the outbox its triggers fill with
  every local change;
- `engine`: `init_laptop`, `push` and `pull`, and `synchronise` (push, then pull).

Which tables sync, and the office server's revisions, tombstones, applied pushes and conflicts, are
schema: app.models.sync_schema. Rows are matched across machines by their `uid`; integer ids stay
local and foreign keys travel as the uids of the rows they point to.
"""
