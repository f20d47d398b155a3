"""The usage checks page, the check dialog and the signature pad."""
