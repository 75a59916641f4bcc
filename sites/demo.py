"""The demo dataset: real Lạng Sơn streets, relics, scenic spots and people.

Facts (names, rankings, years, decisions, coordinates, wards, sources) are read from
`data/langson_facts.json`, a copy of the sourced fact sheet; the descriptions, written in our own
words from those facts, come from `data/demo_content.json`. Nothing is added that the fact sheet
does not give: a missing value stays empty. Texts in a further language may come as drafts
translated by machine (`data/demo_content_<language>.json`, e.g. `demo_content_zh_hans.json`):
they are loaded as machine-translated drafts, which the public pages label as such. Every source
is kept; those the sheet's `meta.source_quality` does not class as citable are kept for
provenance only (`Source.citable`).

Loading is idempotent: every record carries a stable `external_id`, and a record is written only
when a value differs, so a second run changes nothing (not even `updated_at`).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.utils import translation

from lib import languages
from lib.text import nfc, slugify_vi
from sites.models import (
    AdminUnit,
    HeritageFields,
    Person,
    PersonLink,
    Place,
    Relic,
    Route,
    RouteStop,
    ScenicSpot,
    Source,
    Status,
    Street,
    TextState,
)
from sites.signals import many_changes

DATA_DIR = Path(__file__).resolve().parent / "data"
FACTS_FILE = DATA_DIR / "langson_facts.json"
CONTENT_FILE = DATA_DIR / "demo_content.json"


def drafts_file(language: languages.Language) -> Path:
    """The demo's texts in `language` translated by machine, entry by entry as in CONTENT_FILE."""
    return DATA_DIR / f"demo_content_{language.suffix}.json"


RANKINGS = {
    "special national": HeritageFields.Ranking.SPECIAL_NATIONAL,
    "national": HeritageFields.Ranking.NATIONAL,
    "provincial": HeritageFields.Ranking.PROVINCIAL,
}
RESOLUTION = re.compile(
    r"^(?P<number>Nghị quyết [^,]+),\s*(?P<day>\d{1,2}) (?P<month>\w{3}) (?P<year>\d{4})"
)
MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
# Walking routes: (id, the facts' site ids in walking order); their texts are CONTENT_FILE's
# `routes`.
ROUTES = [("tam-thanh", ["dong-nhi-thanh", "dong-chua-tam-thanh", "nui-to-thi"])]
GITHUB_REF = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+):(?P<path>[^@]+)@(?P<commit>[0-9a-f]{7,40})$")
# A ranking decision as the sheet writes it: "QĐ 2233/1995/QĐ-BVHTT, 06/06/1995" or "QĐ 4313/…
# dated 31/12/2024 (per …)". An announcement without a number ("announced 23/11/2013") is no
# decision number and no decision date.
DECISION = re.compile(
    r"^QĐ (?P<number>[^,]+?)(?:,| dated) (?P<day>\d{2})/(?P<month>\d{2})/(?P<year>\d{4})\b"
)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def year_of(value: str | None) -> int | None:
    """ "1726-10-15" -> 1726; "1780" -> 1780; None or "" -> None."""
    match = re.match(r"^-?\d{1,4}", value or "")
    return int(match.group()) if match else None


def parse_resolution(named_by: str | None) -> tuple[str, datetime.date | None]:
    if not named_by:
        return "", None
    match = RESOLUTION.match(named_by)
    if not match:
        return nfc(named_by), None
    date = datetime.date(int(match["year"]), MONTHS[match["month"]], int(match["day"]))
    return nfc(match["number"]), date


def parse_decision(decision: str | None) -> tuple[str, datetime.date | None]:
    match = DECISION.match(decision or "")
    if not match:
        return "", None
    date = datetime.date(int(match["year"]), int(match["month"]), int(match["day"]))
    return nfc(match["number"]), date


def source_fields(reference: str, quality: dict[str, str]) -> dict:
    """A fact-sheet source (a web address, or owner/repo:path@commit) as a citation, citable
    when the sheet's `meta.source_quality` classes its site so (a site it does not class is
    not)."""
    github = GITHUB_REF.match(reference)
    if github:
        return {
            "title": f"GitHub {github['repo']}: {github['path']}",
            "url": f"https://github.com/{github['repo']}/blob/{github['commit']}/{github['path']}",
            "citable": quality.get(f"repo:{github['repo']}", "").startswith("citable"),
        }
    # Some references carry a remark after the address: "https://… (mirror of …)".
    url = reference.split()[0] if reference.strip() else ""
    host = (urlsplit(url).hostname or "").rstrip(".")
    return {
        "title": host.removeprefix("www."),
        "url": url[:600],
        "citable": any(quality.get(name, "").startswith("citable") for name in (host, f"{host}.")),
    }


def merge_drafts(content: dict, drafts: dict) -> None:
    """Adds machine-translated texts (a drafts file) to the content entries they translate,
    with the notes of a place's links to people in the same order as the links."""
    for section, entries in drafts.items():
        if section.startswith("_"):
            continue
        for key, texts in entries.items():
            entry = content[section][key]
            if "links" in texts:
                for link, link_texts in zip(entry["links"], texts["links"], strict=True):
                    link.update(link_texts)
            entry.update({name: text for name, text in texts.items() if name != "links"})


class DemoLoader:
    def __init__(self, facts: dict, content: dict, machine: Collection[str] = ()) -> None:
        self.facts = facts
        self.content = content
        # The languages whose texts are machine-translated drafts.
        self.machine = machine
        self.report = LoadReport()
        self.units = {u.code: u for u in AdminUnit.objects.all()}
        self.people: dict[str, Person] = {}
        self.source_quality: dict[str, str] = facts.get("meta", {}).get("source_quality", {})

    def upsert(self, model: type[models.Model], external_id: str, values: dict) -> models.Model:
        record = model.objects.filter(external_id=external_id).first()
        if record is None:
            record = model(external_id=external_id, **values)
            record.save()
            self.report.created += 1
            return record
        changed = [name for name, value in values.items() if getattr(record, name) != value]
        if changed:
            for name in changed:
                setattr(record, name, values[name])
            record.save()
            self.report.updated += 1
        else:
            self.report.unchanged += 1
        return record

    def sync_sources(self, owner: Place | Person, references: list[str]) -> None:
        wanted = [source_fields(ref, self.source_quality) for ref in references]
        relation = "place" if isinstance(owner, Place) else "person"
        existing = list(
            Source.objects.filter(**{relation: owner})
            .order_by("position")
            .values("title", "url", "citable")
        )
        if existing == wanted:
            return
        Source.objects.filter(**{relation: owner}).delete()
        Source.objects.bulk_create(
            Source(**{relation: owner}, position=i, **fields) for i, fields in enumerate(wanted)
        )

    def sync_links(self, place: Place, links: list[dict]) -> None:
        wanted = []
        for link in links:
            person = self.people.get(link["person"])
            if person is None:
                self.report.skipped.append(f"link to unknown person {link['person']!r}")
                continue
            wanted.append(
                {
                    "person_id": person.pk,
                    "role": link["role"],
                    "year_from": link.get("year_from"),
                    "year_to": link.get("year_to"),
                    **self.text(link, "note"),
                }
            )
        fields = ["person_id", "role", "year_from", "year_to", *self.text({}, "note")]
        existing = list(place.person_links.order_by("id").values(*fields))
        if existing == wanted:
            return
        place.person_links.all().delete()
        for values in wanted:
            PersonLink(place=place, **values).save()

    def text(self, entry: dict, name: str, key: str = "") -> dict[str, str]:
        """A translated field's values from the content entry: {"summary_vi": …, …}."""
        key = key or name
        return {f"{name}_{s}": nfc(entry.get(f"{key}_{s}", "")) for s in languages.suffixes()}

    def states(self, entry: dict, name: str = "name") -> dict[str, str]:
        """The record's `translation_states`: the machine-translated languages its `name` field
        has a text in."""
        return {
            code: TextState.MACHINE
            for code in self.machine
            if entry.get(f"{name}_{languages.get(code).suffix}")
        }

    def load_people(self) -> None:
        texts = self.content["people"]
        for fact in self.facts["people"]:
            entry = texts.get(fact["name_vi"])
            if entry is None:
                self.report.skipped.append(f"person {fact['name_vi']!r} has no content")
                continue
            values = {
                **self.text(entry, "name"),
                **self.text(entry, "role"),
                **self.text(entry, "biography"),
                "alt_names": nfc(entry.get("alt_names", "")),
                "birth_year": year_of(fact.get("born")),
                "death_year": year_of(fact.get("died")),
                "translation_states": self.states(entry),
                "status": Status.PUBLISHED,
            }
            person = self.upsert(Person, f"demo:person:{slugify_vi(fact['name_vi'])}", values)
            self.sync_sources(person, fact.get("sources", []))
            self.people[fact["name_vi"]] = person

    def load_sites(self) -> None:
        texts = self.content["sites"]
        for fact in self.facts["sites"]:
            entry = texts.get(fact["id"])
            if entry is None:
                self.report.skipped.append(f"site {fact['id']!r} has no content")
                continue
            model = ScenicSpot if entry["kind"] == "scenic" else Relic
            ranking = RANKINGS.get(fact.get("ranking", ""), "")
            years = [
                step["year"]
                for step in fact.get("ranking_history", [])
                if step.get("year") and RANKINGS.get(step.get("ranking")) == ranking
            ]
            coords = fact.get("coordinates") or {}
            values = {
                **self.text(entry, "name"),
                **self.text(entry, "summary"),
                **self.text(entry, "body"),
                **self.text(entry, "category"),
                **self.text(entry, "address"),
                **self.text(entry, "opening_hours"),
                **self.text(entry, "fees"),
                "ranking": ranking,
                "ranking_year": years[-1] if ranking and years else None,
                "lat": coords.get("lat"),
                "lon": coords.get("lon"),
                "unit": self.units.get(entry.get("unit_code")),
                "translation_states": self.states(entry),
                "status": Status.PUBLISHED,
            }
            place = self.upsert(model, f"demo:site:{fact['id']}", values)
            self.sync_sources(place, fact.get("sources", []))
            self.sync_links(place, entry.get("links", []))

    def load_streets(self) -> None:
        texts = self.content["streets"]
        for fact in self.facts["streets"]:
            entry = texts.get(fact["name_vi"])
            if entry is None:
                self.report.skipped.append(f"street {fact['name_vi']!r} has no content")
                continue
            resolution, resolution_date = parse_resolution(fact.get("named_by"))
            namesake = entry.get("named_after_person")
            # A street has no sourced line; a sourced point on it (a building's address, a
            # bridge at its end) is where its page and map put it.
            point = (fact.get("points") or [{}])[0]
            values = {
                **self.text(entry, "name"),
                **self.text(entry, "summary"),
                **self.text(entry, "body", key="history"),
                "street_type": entry["street_type"],
                "named_after": self.people.get(namesake) if namesake else None,
                "naming_resolution": resolution,
                "naming_resolution_date": resolution_date,
                "lat": point.get("lat"),
                "lon": point.get("lon"),
                "unit": self.units.get(entry.get("unit_code")),
                "translation_states": self.states(entry),
                "status": Status.PUBLISHED,
            }
            street = self.upsert(Street, f"demo:street:{slugify_vi(fact['name_vi'])}", values)
            self.sync_sources(street, fact.get("sources", []))
            self.sync_links(street, entry.get("links", []))

    def load_more_sites(self) -> None:
        """The further national relics of the sheet's `more_sites`: a name, a ranking year, a
        decision when the sheet gives its number and date, a coordinate when it gives one."""
        texts = self.content["more_sites"]
        for fact in self.facts.get("more_sites", []):
            entry = texts.get(fact["name_vi"])
            if entry is None:
                self.report.skipped.append(f"site {fact['name_vi']!r} has no content")
                continue
            ranking = RANKINGS.get(fact.get("ranking", ""), "")
            decision, decision_date = parse_decision(fact.get("decision"))
            values = {
                **self.text(entry, "name"),
                **self.text(entry, "summary"),
                **self.text(entry, "body"),
                **self.text(entry, "category"),
                **self.text(entry, "address"),
                "ranking": ranking,
                "ranking_year": fact.get("year") if ranking else None,
                "decision_number": decision,
                "decision_date": decision_date,
                "lat": fact.get("lat"),
                "lon": fact.get("lon"),
                "unit": self.units.get(entry.get("unit_code")),
                "translation_states": self.states(entry),
                "status": Status.PUBLISHED,
            }
            external_id = f"demo:site:{slugify_vi(entry['name_vi'])}"
            place = self.upsert(Relic, external_id, values)
            self.sync_sources(place, fact.get("sources", []))
            self.sync_links(place, entry.get("links", []))

    def load(self) -> LoadReport:
        # Field values are given per language; the active language must not leak into them.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            self.load_people()
            self.load_sites()
            self.load_more_sites()
            self.load_streets()
            self.load_routes()
        return self.report

    def load_routes(self) -> None:
        """The demo's walking routes (`ROUTES`): only places the facts give coordinates for,
        and texts that say no more than the facts (which sites, in which ward, in which order)."""
        for route_id, stop_ids in ROUTES:
            entry = self.content["routes"][route_id]
            places = [
                Place.objects.filter(external_id=f"demo:site:{stop}").first() for stop in stop_ids
            ]
            if not all(place and place.has_coordinates for place in places):
                self.report.skipped.append(f"route {route_id!r}: a stop has no coordinates")
                continue
            values = {
                **self.text(entry, "title"),
                **self.text(entry, "summary"),
                "translation_states": self.states(entry, "title"),
                "status": Status.PUBLISHED,
            }
            route = self.upsert(Route, f"demo:route:{route_id}", values)
            wanted = [(position, place.pk) for position, place in enumerate(places, start=1)]
            if list(route.stops.values_list("position", "place_id")) != wanted:
                route.stops.all().delete()
                RouteStop.objects.bulk_create(
                    RouteStop(route=route, place_id=pk, position=position)
                    for position, pk in wanted
                )


def load_demo() -> LoadReport:
    facts = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
    content = json.loads(CONTENT_FILE.read_text(encoding="utf-8"))
    machine = []
    for language in languages.LANGUAGES:
        if drafts_file(language).exists():
            merge_drafts(content, json.loads(drafts_file(language).read_text(encoding="utf-8")))
            machine.append(language.code)
    # Hundreds of rows at once: whoever keeps copies of pages makes them all stale, rather than
    # working out for each row which pages show it (`sites.signals.many_changes`).
    with many_changes():
        return DemoLoader(facts, content, machine).load()
