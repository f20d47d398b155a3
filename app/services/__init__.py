"""The domain: rules, state machines, commands and queries. No Qt here.

Grouped by domain, one subpackage each: `customers` (records, value, risk), `sales` (recording,
warranty, catalogue), `followups` (state machine, agenda, plans, working days, calendar export,
reminder rules), `checks` (templates, running, queries), `cases`, `returns`, `charters` (versions,
indicators) and `reporting` (statistics, dashboard, activity report, register, satisfaction).

The small core every domain uses stays at this level: `errors`, `audit`, `company` (settings),
`reps`, `transactions` (write transactions, versions), `inputs` (text, dates, choices) and
`health`. Demo data is a tool, in `app.demo`.
"""
