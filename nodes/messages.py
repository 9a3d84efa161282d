"""The pack's messages as ComfyUI's frontend can show them.

The frontend (1.45) puts an error's text into its translated messages with vue-i18n's
``escapeParameter`` on, which turns ``& < > " ' / =`` into HTML entities and then shows those as
text: "models/loras" arrives as "models&#x2F;loras". Look-alike characters pass unchanged, so the
messages the Errors panel and the error dialog show are written with them. The log keeps the
plain text (paths and URLs to copy).
"""
from __future__ import annotations

import re

LOOKALIKES = str.maketrans({"/": "∕", "=": "＝", "&": "＆", "<": "‹", ">": "›", "'": "’", '"': "”"})
# A quote opens after a non-word character and closes before one, so "the node's 'x'" pairs 'x'.
QUOTED = re.compile(r"(?<!\w)'([^'\n]*)'(?!\w)|(?<!\w)\"([^\"\n]*)\"(?!\w)")


def for_frontend(text: str) -> str:
    """``text`` with the characters the frontend would mangle replaced by look-alikes: quoted
    words get typographic quotes, the rest keep their shape."""
    text = QUOTED.sub(lambda m: f"‘{m.group(1)}’" if m.group(1) is not None else f"“{m.group(2)}”", text)
    return text.translate(LOOKALIKES)


class PackError(ValueError):
    """A failure the user can fix, shown by ComfyUI as the pack wrote it: the pack's name where
    ComfyUI would print the exception's module path, and a message the frontend keeps intact."""


# ComfyUI names an exception by module + qualified name, except for builtins: the error dialog
# then reads "LTX2.3 AIO: <message>".
PackError.__module__ = "builtins"
PackError.__qualname__ = "LTX2.3 AIO"
