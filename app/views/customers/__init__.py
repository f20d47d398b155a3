"""The customers feature: list page, customer and sale dialogs, and the 360° view."""
