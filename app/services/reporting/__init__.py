"""Reporting: the figures behind the dashboard, the activity report and the register. No Qt.

- `activity`: the activity report (memoria de actividades) for a period.
- `dashboard`: the dashboard's summary and risk panels.
- `followup_stats`, `return_stats`, `case_stats`: the statistics of each department (SQL aggregates).
- `complaints_register`: the annual register of complaints and claims.
- `satisfaction`: satisfaction surveys and their KPIs (CSAT, NPS).
"""
