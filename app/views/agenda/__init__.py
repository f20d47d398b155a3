"""The Agenda page: today, the week grid, overdue and upcoming follow-ups."""
