"""The Conflicts page (issue 16): what a laptop's sync could not merge, decided by a person."""
