"""User text inside markup: Qt's rich text in the views, reportlab's paragraphs in the PDFs.

Both read the same small HTML/XML: `&`, `<` and `>` must be entities, and a line break is
`<br/>` (Qt accepts it as well as `<br>`). One function for both, so a name or a note shows
as typed on screen and on paper. No Qt and no reportlab here: every layer may import it.
"""

from __future__ import annotations

from html import escape as _escape


def escape(text: object) -> str:
    """`text` (None: nothing) as markup that shows it as typed: `<`, `>` and `&` literally, line
    breaks kept. Quotes stay as they are: the result is element text, never an attribute value."""
    return _escape("" if text is None else str(text), quote=False).replace("\n", "<br/>")
