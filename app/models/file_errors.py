"""The roots of every refusal to use a database file (app.models.database raises the rest).

Apart from app.models.database so that a module raising one needs neither peewee nor the models:
the one-window lock (app.models.window_lock) is taken before the window's first paint (issue 19).
"""


class DatabaseFileError(Exception):
    """The database file cannot be used as asked; the message tells the user why and what to do."""


class DatabaseOpenError(DatabaseFileError):
    """The database cannot be opened; the message tells the user why and what to do."""
