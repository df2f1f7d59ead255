"""Form fields: the values of a filled PDF form that was not flattened.

An attestation filled in as a PDF form (AcroForm) keeps its values in the form's fields,
not in the page's text: the text layer reads ``Nom :`` with nothing after it. This module
reads every filled field of a page (text and choice fields with their value, check boxes
and radio buttons that are ticked) with its position, and finds its label on the page:
the words just left of the field on its line (``Nom :``), else just above it, else the
field's own description (``/TU``) or name (``/T``). :mod:`.reading` writes them into the
page's text, each value beside its label (``Nom : MARTIN``; a ticked box as the answer
to the question above its group, ``Type d'action : EPP``, or ``[x] EPP``), the layout
every plugin reads, and keeps them on :attr:`Document.form
<attest_pipeline.models.Document.form>`.

Cost: pdfium says whether the file has a form at all (no cost); only then are the
fields read with pypdf and the page's words with pdfplumber.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from attest_pipeline.models import FormField, Word

#: How far (points) a label may stand from its field: left on the same line, or above.
_LEFT_REACH = 200.0
_ABOVE_REACH = 24.0
#: How far above a group of check boxes its question may stand (a few options' height).
_QUESTION_REACH = 120.0
#: Check box states that mean "not ticked".
_OFF = frozenset({"", "/Off", "Off"})


def read_form(
    data: bytes, page_heights: Sequence[float], words: Callable[[int], tuple[Word, ...]]
) -> tuple[FormField, ...]:
    """Every filled field of the PDF ``data``, with its page, position and label.

    ``page_heights`` turn the form's coordinates (from the bottom) into the words' (from
    the top); ``words`` gives a page's words, asked only for pages with a filled field.
    A form pypdf cannot read gives no field (the text layer is read as usual).
    """
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        fields: list[FormField] = []
        for number, page in enumerate(reader.pages, start=1):
            height = page_heights[number - 1]
            filled = [f for a in page.get("/Annots") or () if (f := _filled(a.get_object()))]
            if filled:
                on_page = words(number)
                fields.extend(_with_label(number, height, widget, on_page) for widget in filled)
        return tuple(fields)
    except (pypdf.errors.PyPdfError, KeyError, ValueError, TypeError, AttributeError):
        return ()  # a malformed form must not cost the document its text


def _inherited(widget: Any, key: str) -> Any:
    """A field attribute, on the widget or on its parent field (kids of one field)."""
    node = widget
    for _ in range(8):
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        if parent is None:
            return None
        node = parent.get_object()
    return None


def _filled(widget: Any) -> tuple[Any, str, str, bool] | None:
    """``(widget, kind, value, checked)`` for a widget holding a value, else ``None``."""
    if widget.get("/Subtype") != "/Widget":
        return None
    kind = str(_inherited(widget, "/FT") or "")
    if kind == "/Btn":
        state = str(widget.get("/AS") or _inherited(widget, "/V") or "")
        if state in _OFF:
            return None
        return widget, "checkbox", state.lstrip("/"), True
    if kind in ("/Tx", "/Ch"):
        value = _inherited(widget, "/V")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = " ".join(str(value or "").split())
        if not text:
            return None
        return widget, "text" if kind == "/Tx" else "choice", text, False
    return None


def _with_label(
    number: int, height: float, filled: tuple[Any, str, str, bool], words: Sequence[Word]
) -> FormField:
    widget, kind, value, checked = filled
    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    left, right = min(x0, x1), max(x0, x1)
    top, bottom = height - max(y0, y1), height - min(y0, y1)
    name = str(_inherited(widget, "/T") or "")
    description = str(_inherited(widget, "/TU") or "")
    question = ""
    if kind == "checkbox":
        label = _words_right(words, left, right, top, bottom) or description or name
        question = _question_above(words, left, top)
    else:
        label = (
            _words_left(words, left, top, bottom)
            or _words_above(words, left, right, top)
            or description
            or name
        )
    return FormField(
        page=number,
        name=name,
        label=label.rstrip(" :").strip(),
        value=value,
        kind=kind,
        checked=checked,
        question=question,
        x0=left,
        x1=right,
        top=top,
        bottom=bottom,
    )


def _same_line(word: Word, top: float, bottom: float) -> bool:
    middle = (word.top + word.bottom) / 2
    return top - 2 <= middle <= bottom + 2


def _joined(words: Sequence[Word]) -> str:
    """The words of one line, kept only as far as they run without a wide gap."""
    return " ".join(w.text for w in words)


def _run(words: Sequence[Word], *, backwards: bool) -> list[Word]:
    """The words next to the field, up to the first gap wider than about three spaces."""
    run: list[Word] = []
    for word in words:
        if run:
            near = run[-1]
            gap = near.x0 - word.x1 if backwards else word.x0 - near.x1
            if gap > 1.5 * (word.bottom - word.top):
                break
        run.append(word)
    return list(reversed(run)) if backwards else run


def _words_left(words: Sequence[Word], left: float, top: float, bottom: float) -> str:
    line = [
        w for w in words if _same_line(w, top, bottom) and left - _LEFT_REACH <= w.x1 <= left + 2
    ]
    return _joined(_run(sorted(line, key=lambda w: -w.x1), backwards=True))


def _words_right(
    words: Sequence[Word], left: float, right: float, top: float, bottom: float
) -> str:
    line = [w for w in words if _same_line(w, top, bottom) and right - 2 <= w.x0 <= right + 40]
    if not line:
        return ""
    first = min(line, key=lambda w: w.x0)
    rest = [w for w in words if _same_line(w, top, bottom) and w.x0 >= first.x0]
    return _joined(_run(sorted(rest, key=lambda w: w.x0), backwards=False))


def _words_above(words: Sequence[Word], left: float, right: float, top: float) -> str:
    """The line right above the field, when it starts at the field's left edge."""
    above = [w for w in words if top - _ABOVE_REACH <= w.bottom <= top + 1]
    if not above:
        return ""
    lowest = max(w.bottom for w in above)
    line = sorted((w for w in above if abs(w.bottom - lowest) < 3), key=lambda w: w.x0)
    if not left - 10 <= line[0].x0 <= left + 40:
        return ""
    return _joined([w for w in line if w.x0 <= right])


def _question_above(words: Sequence[Word], left: float, top: float) -> str:
    """The label of a group of boxes: the nearest line above ending with a colon.

    ``Type d'action :`` over ``[ ] Formation continue`` / ``[x] EPP``: the ticked box's
    label is that question's value.
    """
    lines: dict[int, list[Word]] = {}
    for word in words:
        if top - _QUESTION_REACH <= word.bottom <= top:
            lines.setdefault(round(word.top), []).append(word)
    for key in sorted(lines, reverse=True):
        line = sorted(lines[key], key=lambda w: w.x0)
        text = _joined(line)
        if line[0].x0 <= left + 20 and text.endswith(":"):
            return text.rstrip(" :")
    return ""


def _line(field: FormField) -> str:
    if field.kind == "checkbox":
        return f"{field.question} : {field.label}" if field.question else f"[x] {field.label}"
    return f"{field.label} : {field.value}"


def fill(text: str, fields: Sequence[FormField]) -> str:
    """The page's text with its fields' values beside their labels.

    A field whose label (a box's question) stands alone on a line of the text, colon
    and nothing after it (``Nom :``), has its value written on that line, in the order of
    the fields down the page; the others are written after the text (``Nom : MARTIN``,
    ``[x] Formation continue``).
    """
    lines = text.split("\n")
    used: set[int] = set()
    extra = []
    for field in sorted(fields, key=lambda f: (f.top, f.x0)):
        label = field.question if field.kind == "checkbox" else field.label
        wanted = " ".join(f"{label} :".split()) if label else None
        at = next(
            (
                i
                for i, line in enumerate(lines)
                if i not in used and wanted and " ".join(line.replace(":", " :").split()) == wanted
            ),
            None,
        )
        if at is None:
            extra.append(_line(field))
        else:
            used.add(at)
            lines[at] = _line(field)
    return "\n".join([*lines, *extra])
