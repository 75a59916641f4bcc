"""Reading an admin form as a browser would send it back."""

from html.parser import HTMLParser


class FormValues(HTMLParser):
    """The values a browser sends for the form `form_id`: inputs (checked boxes only), the
    selected options, textareas; disabled fields are not sent."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.values: list[tuple[str, str]] = []
        self.select: str | None = None
        self.multiple, self.chosen, self.first = False, False, None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = found.get("id") == self.form_id
            return
        if not self.inside or "disabled" in found:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in found:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.values.append((name, found.get("value") or default))
        elif tag == "select" and name:
            self.select, self.multiple = name, "multiple" in found
            self.chosen, self.first = False, None
        elif tag == "option" and self.select:
            value = found.get("value", "")
            self.first = value if self.first is None else self.first
            if "selected" in found:
                self.values.append((self.select, value))
                self.chosen = True
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.chosen and not self.multiple and self.first is not None:
                self.values.append((self.select, self.first))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.values.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text.append(data)


def form_values(html: str, form_id: str) -> dict[str, list[str]]:
    """{name: [values]} of the form `form_id` in `html`, as a browser posts it unchanged."""
    parser = FormValues(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return data
