"""The backup rotation: which backups of a database are kept, decided from their dates and kinds alone."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.models.backups import BackupKind, BackupName
from app.services.backups import KEEP_DAILY, KEEP_MONTHLY, KEEP_WEEKLY, backups_to_keep


def backup(at: str, kind: BackupKind = BackupKind.DAILY) -> BackupName:
    return BackupName("postventa", "0123abcd", dt.datetime.fromisoformat(at), kind)


def days(first: dt.date, last: dt.date, hour: int = 12) -> list[BackupName]:
    """One daily backup at `hour` on every day from `first` to `last`."""
    count = (last - first).days + 1
    return [
        BackupName(
            "postventa",
            "0123abcd",
            dt.datetime.combine(first + dt.timedelta(d), dt.time(hour)),
            BackupKind.DAILY,
        )
        for d in range(count)
    ]


def dates_of(kept: set[BackupName]) -> list[str]:
    return sorted(b.made_at.date().isoformat() for b in kept)


def test_the_newest_backup_of_each_of_the_last_seven_days_then_one_a_week():
    # Two a day (08:00 and 18:00) from Sunday 1 to Tuesday 10 March 2026.
    backups = [backup(f"2026-03-{d:02d}T{h}:00") for d in range(1, 11) for h in ("08", "18")]
    kept = backups_to_keep(backups, dt.date(2026, 3, 10))
    assert all(b.made_at.hour == 18 for b in kept)  # the newest of each day
    # 4–10 March as daily ones; the weeks of 9 and 2 March are represented already, so the week of
    # 23 February gets the weekly slot with its newest backup, Sunday 1 March. 2 and 3 March go.
    assert dates_of(kept) == ["2026-03-01", *(f"2026-03-{d:02d}" for d in range(4, 11))]


def test_weeks_across_new_year_are_iso_weeks_and_months_follow():
    backups = days(dt.date(2026, 11, 1), dt.date(2027, 1, 20))
    kept = backups_to_keep(backups, dt.date(2027, 1, 20))
    daily = [f"2027-01-{d}" for d in range(14, 21)]
    # Weeks ending 10 January, 3 January (ISO week 53 of 2026 runs from 28 December to 3 January),
    # 27 and 20 December; then the months before: December (its newest, the 31st) and November.
    weekly = ["2027-01-10", "2027-01-03", "2026-12-27", "2026-12-20"]
    monthly = ["2026-12-31", "2026-11-30"]
    assert dates_of(kept) == sorted(daily + weekly + monthly)


def test_a_laptop_used_once_a_month_keeps_its_last_twenty_three_backups():
    """Days, weeks and months count the periods that have a backup, not the calendar: a laptop
    started rarely keeps a longer history instead of losing it to empty days."""
    backups = [backup(f"{2025 + m // 12}-{m % 12 + 1:02d}-15T10:00") for m in range(24)]
    kept = backups_to_keep(backups, dt.date(2026, 12, 15))
    assert len(kept) == KEEP_DAILY + KEEP_WEEKLY + KEEP_MONTHLY == 23
    assert backups[0] not in kept  # only the oldest goes


def test_copies_before_a_restore_or_an_upgrade_are_kept_thirty_days_apart_from_the_rotation():
    today = dt.date(2026, 6, 30)
    daily = backup("2026-06-30T10:00")
    before_restore = backup("2026-06-30T11:00", BackupKind.BEFORE_RESTORE)  # newer, same day
    recent_upgrade = backup("2026-06-01T09:00", BackupKind.BEFORE_UPGRADE)  # 29 days ago
    old_upgrade = backup("2026-05-31T09:00", BackupKind.BEFORE_UPGRADE)  # 30 days ago
    kept = backups_to_keep([daily, before_restore, recent_upgrade, old_upgrade], today)
    # The routine backup keeps the day's slot and the copy before the restore stays beside it.
    assert kept == {daily, before_restore, recent_upgrade}


def test_a_backup_made_on_request_counts_as_the_days_backup():
    morning = backup("2026-06-30T08:00")
    on_request = backup("2026-06-30T15:00", BackupKind.MANUAL)
    assert backups_to_keep([morning, on_request], dt.date(2026, 6, 30)) == {on_request}


def test_nothing_to_keep_from_nothing():
    assert backups_to_keep([], dt.date(2026, 1, 1)) == set()


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 31)).map(
    lambda at: at.replace(microsecond=0)
)
names = st.builds(
    lambda at, kind: BackupName("p", "0123abcd", at, kind), moments, st.sampled_from(BackupKind)
)


@given(st.sets(names, max_size=80), st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 6, 30)))
def test_the_rotation_keeps_a_subset_bounded_and_stable(backups, today):
    kept = backups_to_keep(backups, today)
    assert kept <= backups
    routine = {b for b in backups if b.kind in (BackupKind.DAILY, BackupKind.MANUAL)}
    assert len(kept & routine) <= KEEP_DAILY + KEEP_WEEKLY + KEEP_MONTHLY
    if routine:
        assert max(routine, key=lambda b: b.made_at) in kept  # the newest is never deleted
    assert backups_to_keep(kept, today) == kept  # rotating again deletes nothing more
