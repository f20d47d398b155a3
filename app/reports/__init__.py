"""reportlab documents built from plain data. No Qt, no queries here."""
