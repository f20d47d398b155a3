"""The line a sync ends with (`postventa sync`, issue 16): counts with their plurals, in the
person's language."""

from __future__ import annotations

from app.i18n import using_language
from app.sync.engine import SyncOutcome


def test_one_change_is_singular_and_many_are_plural():
    assert SyncOutcome(pushed=1, pulled=2500, conflicts=1, refused=2).summary() == (
        "Sync done: 1 change sent, 2,500 received, 1 conflict, 2 refused."
    )


def test_rows_that_left_the_scope_are_said_only_when_there_are_some():
    assert "no longer yours" not in SyncOutcome(pulled=3).summary()
    assert (
        SyncOutcome(left_scope=1)
        .summary()
        .endswith(", 1 row of customers no longer yours removed from this computer.")
    )


def test_the_line_speaks_spanish():
    with using_language("es"):
        line = SyncOutcome(pushed=1, pulled=2500, left_scope=4).summary()
    assert line == (
        "Sincronización hecha: 1 cambio enviado, 2.500 recibidos, 0 conflictos, 0 rechazados,"
        " 4 filas de clientes que ya no son suyos quitadas de este equipo."
    )
