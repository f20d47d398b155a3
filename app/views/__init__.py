"""Everything Qt: windows, pages, dialogs, table models, background tasks."""
