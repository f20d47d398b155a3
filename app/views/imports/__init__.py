"""File ▸ Import…: the import wizard over the import core (app.services.imports)."""
