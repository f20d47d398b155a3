"""One clock across machines (issue 16, app.models.clock): local wall-clock times stay as they are,
a time written with an offset is read as this machine's wall clock."""

from __future__ import annotations

import datetime as dt

from app.models.clock import LocalDateTimeField, local_zone_name, server_session_options, unambiguous
from tests.helpers import in_time_zone


def test_a_time_with_an_offset_is_read_as_the_local_wall_clock():
    field = LocalDateTimeField()
    with in_time_zone("Europe/Madrid"):
        assert field.python_value("2027-01-12T10:00:00.000Z") == dt.datetime(2027, 1, 12, 11, 0)
        assert field.python_value("2027-07-12T10:00:00+00:00") == dt.datetime(2027, 7, 12, 12, 0)  # summer
        assert field.python_value("2027-01-12T10:00:00-03:00") == dt.datetime(2027, 1, 12, 14, 0)
    with in_time_zone("Atlantic/Canary"):
        assert field.python_value("2027-01-12T11:00:00+01:00") == dt.datetime(2027, 1, 12, 10, 0)


def test_a_naive_time_is_taken_as_local_already():
    field = LocalDateTimeField()
    with in_time_zone("Atlantic/Canary"):
        assert field.python_value("2027-01-12 10:00:00") == dt.datetime(2027, 1, 12, 10, 0)
        assert field.python_value("2027-01-12 10:00:00.250000") == dt.datetime(2027, 1, 12, 10, 0, 0, 250000)
        assert field.python_value(dt.datetime(2027, 1, 12, 10, 0)) == dt.datetime(2027, 1, 12, 10, 0)
        assert field.python_value(None) is None


def test_a_time_kept_for_another_machine_carries_this_machines_offset():
    with in_time_zone("Europe/Madrid"):
        text = unambiguous(dt.datetime(2027, 1, 12, 11, 0))
        assert text == "2027-01-12T11:00:00+01:00"
    with in_time_zone("Atlantic/Canary"):
        assert LocalDateTimeField().python_value(text) == dt.datetime(2027, 1, 12, 10, 0)


def test_the_server_session_speaks_this_machines_time_zone():
    with in_time_zone("Atlantic/Canary"):
        assert local_zone_name() == "Atlantic/Canary"
        assert server_session_options() == "-c TimeZone=Atlantic/Canary"
    with in_time_zone("Not/AZone"):  # a TZ PostgreSQL would refuse: the system's zone, or none
        name = local_zone_name()
        assert name != "Not/AZone"
        assert "Not/AZone" not in server_session_options()
