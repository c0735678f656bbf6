"""Highlight fragments as safe HTML: the engine marks matches with private-use
characters, the text is escaped, then the marks become <em> tags, so a record's own
`<script>` reaches a caller as text, never as markup."""

from __future__ import annotations

import html

# Unicode private-use characters: no record text is expected to hold them.
OPEN_MARK = "\ue000"
CLOSE_MARK = "\ue001"


def marked_to_html(fragment: str) -> str:
    escaped = html.escape(fragment, quote=False)
    return escaped.replace(OPEN_MARK, "<em>").replace(CLOSE_MARK, "</em>")
