"""The warranty returns (RMA) page, its list, board and dialogs."""
