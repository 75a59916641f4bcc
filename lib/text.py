"""Text rules shared by every record: NFC storage without markup, Vietnamese-aware folding and
slugs."""

import html
import re
import unicodedata

import nh3
from django.utils.text import slugify

# Letters that Unicode does not decompose into a base letter plus a mark: folding by NFD alone
# would drop them ("Đường" would become "uong"), so they are mapped first.
_UNDECOMPOSABLE = str.maketrans({"đ": "d", "Đ": "D", "ƀ": "b", "Ɓ": "B"})
_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """The stored form of every text: keyboards and copy-paste may send decomposed (NFD) text,
    which looks the same but would not match in search or in the uniqueness of a slug."""
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Lower-case ASCII form for matching: "Động Tam Thanh" -> "dong tam thanh"."""
    decomposed = unicodedata.normalize("NFD", value.translate(_UNDECOMPOSABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def slugify_vi(value: str) -> str:
    """ASCII slug: "Đường Trần Đăng Ninh" -> "duong-tran-dang-ninh"."""
    return slugify(fold(value))


# Every element name an HTML parser knows (WHATWG, with the obsolete ones browsers still build).
HTML_ELEMENTS = frozenset(
    """a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound
    big blink blockquote body br button canvas caption center cite code col colgroup data
    datalist dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font
    footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img
    input ins isindex kbd keygen label legend li link listing main map mark marquee math menu
    menuitem meta meter multicol nav nextid nobr noembed noframes noscript object ol optgroup
    option output p param picture plaintext pre progress q rb rp rt rtc ruby s samp script
    search section select slot small source spacer span strike strong style sub summary sup svg
    table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr
    xmp""".split()  # noqa: SIM905 - a list of 140 names reads better as words
)
# Where markup starts: a known element (opening or closing), a comment, a doctype or processing
# instruction, or any tag that carries an attribute (an unknown element still runs onclick=).
# A "<" that starts none of these is text: "diện tích < 5 ha", "x<y", "<<Nam quốc sơn hà>>".
_MARKUP = re.compile(
    r"<(?:/?(?:" + "|".join(sorted(HTML_ELEMENTS)) + r")(?=[\s/>])"
    r"|!--|!\[CDATA\[|!doctype|\?"
    r"|/?[a-z][^\s/<>]*[\s/][^<>]*=)",
    re.IGNORECASE,
)
_LINE_BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote|pre)\s*>", re.IGNORECASE)


def strip_markup(value: str) -> str:
    """The text without HTML markup, as stored for every content field (admin, spreadsheet
    import and API alike): the text is plain, shown escaped on our pages and handed to other
    systems (the API, CSV and GeoJSON exports) that may not escape it. Tags, comments and the
    content of <script> and <style> are removed by nh3 (ammonia, a real HTML5 parser); the text
    between tags stays, a paragraph or line break becomes a new line. What only looks like a
    bracket ("< 5 ha", "<<Nam quốc sơn hà>>") and entities typed as text ("&amp;") are kept as
    typed. Stripping twice changes nothing."""
    if "<" not in value or not _MARKUP.search(value):
        return value
    escaped = value.replace("&", "&amp;")
    escaped = re.sub(
        "<", lambda match: "<" if _MARKUP.match(escaped, match.start()) else "&lt;", escaped
    )
    escaped = _LINE_BREAKS.sub("\n", escaped)
    return html.unescape(nh3.clean(escaped, tags=set(), strip_comments=True)).strip()


_WEB_ADDRESS = re.compile(r"https?://[^\s]", re.IGNORECASE)


def web_url(value: str | None) -> str:
    """`value` when it is an http(s) address that a link may point to; "" otherwise
    (javascript:, data:, a relative path). The forms refuse such addresses already; this is
    for pages and API answers, so that text that reached the database another way never
    becomes a live link."""
    value = (value or "").strip()
    return value if _WEB_ADDRESS.match(value) else ""


# A spreadsheet program runs a cell that starts with one of these as a formula (OWASP's "CSV
# Injection"; ASVS 1.2.10 adds the null character): a name `=HYPERLINK("http://…","Bấm")` would
# be a live link in the admin's export. Quotes in front are part of the pattern so that escaping
# can always be undone: a text that already starts with quotes and then one of these gets one
# quote more, and loses exactly one when it comes back.
_FORMULA = re.compile(r"'*[=+\-@\t\r\n\0]")
# A plain number is no formula: a negative year or coordinate stays a number in the spreadsheet.
_PLAIN_NUMBER = re.compile(r"-\d+(?:\.\d+)?")


def _is_formula_like(value: str) -> bool:
    return bool(_FORMULA.match(value)) and not _PLAIN_NUMBER.fullmatch(value)


def spreadsheet_cell(value: object) -> object:
    """The value as written into every CSV or XLSX file we make (the admin's exports and sample
    files, the API's `?format=csv`, the print manifest, the dashboard's tables): a text that a
    spreadsheet would read as a formula gets a single quote in front (OWASP's advice), so it
    is shown, and stored by openpyxl, as text. Anything but text is returned as it is."""
    if isinstance(value, str) and _is_formula_like(value):
        return "'" + value
    return value


def from_spreadsheet_cell(value: object) -> object:
    """Undoes `spreadsheet_cell` exactly, for the spreadsheet import: an export imports back to
    the same text ("-Tổ 5" stays "-Tổ 5"). A quote that `spreadsheet_cell` would not have added
    is kept."""
    if isinstance(value, str) and value.startswith("'") and _is_formula_like(value[1:]):
        return value[1:]
    return value
