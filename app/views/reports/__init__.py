"""The Reports page: documents generated in the background, previewed with QtPdf, printed and saved."""
