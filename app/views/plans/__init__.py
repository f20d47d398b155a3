"""Editing follow-up plans: the plans dialog and its steps table."""
