"""What a page says about itself to search engines and chat apps: canonical and hreflang
addresses, schema.org JSON-LD, OpenGraph. Pure functions of a record and the active language.

Absolute addresses are built on settings.PUBLIC_BASE_URL, the address printed on the plates,
never on the request's host: a page reached through a proxy or an IP address still names the
public address.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.conf import settings
from django.templatetags.static import static
from django.urls import translate_url
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from sites.models import Person, Place

# The default share picture (static/img/share.png) and its size, for a record with no photo.
SHARE_IMAGE = "img/share.png"
SHARE_IMAGE_SIZE = (1200, 630)
SCHEMA_TYPES = {
    Place.Kind.RELIC: ["LandmarksOrHistoricalBuildings", "TouristAttraction"],
    Place.Kind.SCENIC: "TouristAttraction",
    # A street is neither a landmark nor an attraction for schema.org: a named place.
    Place.Kind.STREET: "Place",
}


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.PUBLIC_BASE_URL + url


def page_links(path: str) -> dict:
    """Canonical address of the page at `path` (in the active language), its address in every
    language, and `x_default_url`: the address without a language prefix, which sends each
    visitor to their own language (cookie, then Accept-Language), as in the sitemap."""
    alternates = [(code, absolute(translate_url(path, code))) for code, _name in settings.LANGUAGES]
    return {
        "canonical_url": absolute(path),
        "alternates": alternates,
        "x_default_url": absolute(without_language(path)),
    }


def without_language(path: str) -> str:
    prefix = f"/{translation.get_language_from_path(path)}/"
    return "/" + path[len(prefix) :] if path.startswith(prefix) else path


def record_links(record: Place | Person) -> dict:
    """The canonical address of a record's page and its address in every language, absolute,
    for <link rel="canonical"> and hreflang alternates (also used by the scan path)."""
    paths = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths[code] = record.get_absolute_url()
    own = record.get_absolute_url()
    return {
        "canonical_url": absolute(own),
        "alternates": [(code, absolute(path)) for code, path in paths.items()],
        "x_default_url": absolute(without_language(own)),
    }


def other_language() -> str:
    """The first other language: its name of a record is shown as the subtitle."""
    current = translation.get_language()
    return next(code for code, _name in settings.LANGUAGES if code != current)


def other_name(record: Place | Person) -> tuple[str, str] | None:
    """(name, language code) of the record's name in the other language, when it differs."""
    code = other_language()
    name = getattr(record, f"name_{code.replace('-', '_')}", "") or ""
    if not name or name == record.name:
        return None
    return name, code


def description(text: str, length: int = 200) -> str:
    return Truncator(strip_tags(text).replace("\n", " ")).chars(length)


def share_image(photos: list) -> dict:
    """The picture a chat app shows beside a shared link: the record's first photo, or the
    site's default picture."""
    for photo in photos:
        picture = photo.picture
        if picture.width:
            return {
                "url": absolute(picture.share_url),
                "width": picture.width,
                "height": picture.height,
                "alt": photo.caption,
            }
    width, height = SHARE_IMAGE_SIZE
    return {
        "url": absolute(static(SHARE_IMAGE)),
        "width": width,
        "height": height,
        "alt": _("Streetinfo Lạng Sơn"),
    }


def share_links(url: str) -> dict:
    """Plain links to share `url` on Facebook and Zalo: they work with JavaScript off and in
    the apps' own browsers; the apps build the preview from the page's OpenGraph tags."""
    encoded = quote(url, safe="")
    return {
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={encoded}",
        "zalo": f"https://sp.zalo.me/share?url={encoded}",
    }


def directions(place: Place) -> dict | None:
    """A `geo:` link (opens the phone's map app) and an OpenStreetMap link (works everywhere,
    including iPhones, which ignore `geo:`)."""
    if not place.has_coordinates:
        return None
    lat, lon = f"{place.lat:.6f}", f"{place.lon:.6f}"
    label = quote(place.name, safe="")
    return {
        "geo": f"geo:{lat},{lon}?q={lat},{lon}({label})",
        "osm": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}",
    }


def same_as(record: Place | Person, data: dict) -> None:
    """schema.org `sameAs`: the record's Wikidata item, when one is known (never guessed)."""
    if record.wikidata:
        data["sameAs"] = f"https://www.wikidata.org/wiki/{record.wikidata}"


def place_jsonld(place: Place, links: dict, image: dict | None) -> dict:
    other = other_name(place)
    data: dict = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES[place.kind],
        "name": place.name,
        "url": links["canonical_url"],
        "inLanguage": translation.get_language(),
    }
    if other:
        data["alternateName"] = other[0]
    if place.summary:
        data["description"] = description(place.summary, 300)
    if image:
        data["image"] = image["url"]
    if place.has_coordinates:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": place.lat, "longitude": place.lon}
    address = {"@type": "PostalAddress", "addressRegion": "Lạng Sơn", "addressCountry": "VN"}
    if place.unit_id:
        address["addressLocality"] = place.unit.name
    data["address"] = address
    if place.unit_id:
        data["containedInPlace"] = {
            "@type": "AdministrativeArea",
            "name": place.unit.name,
            "url": absolute(place.unit.get_absolute_url()),
        }
    same_as(place, data)
    return data


def person_jsonld(person: Person, links: dict, image: dict | None) -> dict:
    other = other_name(person)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": person.name,
        "url": links["canonical_url"],
    }
    alternates = [other[0]] if other else []
    alternates += [name.strip() for name in person.alt_names.split(",") if name.strip()]
    if alternates:
        data["alternateName"] = alternates
    if person.role:
        data["description"] = person.role
    # Only exact years: an approximate one would state a precision the sources do not give.
    if person.birth_year and person.birth_year > 0 and not person.birth_year_approx:
        data["birthDate"] = f"{person.birth_year:04d}"
    if person.death_year and person.death_year > 0 and not person.death_year_approx:
        data["deathDate"] = f"{person.death_year:04d}"
    if image:
        data["image"] = image["url"]
    same_as(person, data)
    return data


def jsonld_script(data: dict) -> SafeString:
    """`<script type="application/ld+json">` with the characters that could end the script
    escaped, so a record's text can never break out of it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
