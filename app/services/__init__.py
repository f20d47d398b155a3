"""The domain: rules, state machines, commands and queries. No Qt here."""
