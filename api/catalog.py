"""The open data's DCAT catalogue (DCAT-AP 3), for national portals and CKAN harvesters: who
publishes it, whom to write to, and one dataset per bulk file (`api.bulk.DATASETS`), each with
its licence, spatial extent (the province), last modification and distributions: the JSON API,
the CSV and GeoJSON exports and the bulk file, with their media types. (The JSON a bulk file may
hold is the API's pages in one array: the API distribution stands for it.)

Served as JSON-LD (`/api/catalog.jsonld`) and Turtle (`/api/catalog.ttl`) from one graph.
Controlled vocabularies are the EU's, as DCAT-AP asks: file types, languages, data themes,
access rights and update frequencies (publications.europa.eu/resource/authority/…).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from api import bulk
from sites.models import AdminUnit

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ADMS_PUBLISHER = Namespace("http://purl.org/adms/publishertype/")
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = Namespace(EU + "file-type/")
LANGUAGE = Namespace(EU + "language/")
THEME = Namespace(EU + "data-theme/")
ACCESS = Namespace(EU + "access-right/")
FREQUENCY = Namespace(EU + "frequency/")
IANA = "https://www.iana.org/assignments/media-types/"

# The site's languages (their primary subtag) in the EU's language vocabulary.
EU_LANGUAGES = {"vi": "VIE", "en": "ENG", "fr": "FRA", "zh": "ZHO", "ko": "KOR", "ja": "JPN"}

# Each format a distribution comes in: its EU file type and IANA media type.
FORMATS = {
    "json": ("JSON", "application/json"),
    "csv": ("CSV", "text/csv"),
    "geojson": ("GEOJSON", "application/geo+json"),
    "zip": ("ZIP", "application/zip"),
}

TEXTS = {
    "places": (
        _("Streets, relics and scenic spots"),
        _(
            "The streets, relics (di tích) and scenic spots of Lạng Sơn province published on "
            "the portal: names in every language, history, coordinates, ranking and the "
            "commune or ward."
        ),
        ("REGI", "EDUC"),
    ),
    "people": (
        _("People linked to places"),
        _("The people the province's streets are named after or its places are tied to."),
        ("EDUC",),
    ),
    "units": (
        _("Communes and wards"),
        _(
            "The province, its communes and wards with their official codes and boundaries, "
            "and former units kept for history."
        ),
        ("REGI", "GOVE"),
    ),
    "plates": (
        _("QR nameplates"),
        _(
            "The QR plates on streets and sites: the code printed on each, the address its QR "
            "code holds, the record it leads to and its stage."
        ),
        ("REGI",),
    ),
    "routes": (
        _("Walking routes"),
        _(
            "Walking routes through the province's published places: titles and texts in "
            "every language, the stops in walking order, the length and walking time, and each "
            "route as a line on the map."
        ),
        ("EDUC", "REGI"),
    ),
}


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def in_languages(text) -> list[Literal]:
    """One literal per site language, tagged with it: `text` is a lazy translation, or a
    function that makes one (a formatted text)."""
    literals = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            literals.append(Literal(str(text() if callable(text) else text), lang=code))
    return literals


def catalogue_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("locn", LOCN),
        ("gsp", GSP),
        ("skos", SKOS),
    ):
        graph.bind(prefix, namespace)
    catalogue = URIRef(absolute(reverse("api:catalog-jsonld")))
    licence = URIRef(settings.DATA_LICENCE["url"])
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.title, Literal(settings.DATA_LICENCE["name"])))

    publisher = URIRef(f"{catalogue}#publisher")
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(settings.DATA_PUBLISHER["name"])))
    graph.add((publisher, FOAF.homepage, URIRef(settings.DATA_PUBLISHER["url"])))
    graph.add((publisher, DCTERMS.type, ADMS_PUBLISHER.RegionalAuthority))

    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(settings.DATA_PUBLISHER["name"])))
    if settings.DATA_PUBLISHER["email"]:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{settings.DATA_PUBLISHER['email']}")))
    else:
        with translation.override(settings.LANGUAGE_CODE):
            about = absolute(reverse("sites:about"))
        graph.add((contact, VCARD.hasURL, URIRef(about)))

    province = spatial(graph, catalogue)
    languages = [
        LANGUAGE[EU_LANGUAGES[code.split("-")[0]]]
        for code, _name in settings.LANGUAGES
        if code.split("-")[0] in EU_LANGUAGES
    ]

    graph.add((catalogue, RDF.type, DCAT.Catalog))
    for title in in_languages(_("Streetinfo Lạng Sơn open data")):
        graph.add((catalogue, DCTERMS.title, title))
    for description in in_languages(
        _(
            "Open data of Lạng Sơn province's streets, relics, scenic spots, the people linked "
            "to them, the walking routes through them, its communes and wards and its QR "
            "nameplates."
        )
    ):
        graph.add((catalogue, DCTERMS.description, description))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, FOAF.homepage, URIRef(absolute("/"))))
    graph.add((catalogue, DCTERMS.license, licence))
    graph.add((catalogue, DCTERMS.spatial, province))
    for language in languages:
        graph.add((catalogue, DCTERMS.language, language))

    stored = {name: bulk.current(name) for name in bulk.DATASETS}
    missing = [name for name, file in stored.items() if file is None]
    if missing:
        # Built here by the immediate backend; by a worker for the next reader otherwise.
        bulk.rebuild_bulk_files.enqueue(missing)
        stored.update({name: bulk.current(name) for name in missing})
    for dataset in bulk.DATASETS.values():
        node = URIRef(f"{catalogue}#{dataset.name}")
        graph.add((catalogue, DCAT.dataset, node))
        title, description, themes = TEXTS[dataset.name]
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(str(node))))
        for literal in in_languages(title):
            graph.add((node, DCTERMS.title, literal))
        for literal in in_languages(description):
            graph.add((node, DCTERMS.description, literal))
        graph.add((node, DCTERMS.publisher, publisher))
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((node, DCTERMS.spatial, province))
        graph.add((node, DCTERMS.license, licence))
        graph.add((node, DCTERMS.accessRights, ACCESS.PUBLIC))
        graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY.UPDATE_CONT))
        graph.add((node, DCAT.landingPage, URIRef(absolute(reverse("api:docs")))))
        for theme in themes:
            graph.add((node, DCAT.theme, THEME[theme]))
        for keyword in ("Lạng Sơn", "open data", dataset.name):
            graph.add((node, DCAT.keyword, Literal(keyword)))
        for language in languages:
            graph.add((node, DCTERMS.language, language))
        file = stored[dataset.name]
        modified = file.modified() if file else None
        if modified:
            graph.add((node, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
        for distribution in distributions(graph, dataset, licence, file, modified):
            graph.add((node, DCAT.distribution, distribution))
    return graph


def spatial(graph: Graph, catalogue: URIRef) -> URIRef:
    """The province, as a dct:Location: its page on the portal, its name, its bounding box."""
    unit = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE).defer("boundary").first()
    if unit is None:
        province = URIRef(f"{catalogue}#province")
    else:
        with translation.override(settings.LANGUAGE_CODE):
            province = URIRef(absolute(unit.get_absolute_url()))
    graph.add((province, RDF.type, DCTERMS.Location))
    graph.add((province, SKOS.prefLabel, Literal("Lạng Sơn", lang="vi")))
    if unit is not None and unit.bbox:
        west, south, east, north = unit.bbox
        polygon = (
            f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, "
            f"{west} {south}))"
        )
        graph.add((province, DCAT.bbox, Literal(polygon, datatype=GSP.wktLiteral)))
    return province


def distributions(graph, dataset, licence, file, modified) -> list[URIRef]:
    api_list = absolute(dataset.path)
    offered = [
        ("json", api_list, None, _("The API (JSON pages of 50, filters)")),
        *(
            (
                format,
                f"{api_list}?format={format}&lang=all",
                f"{api_list}?format={format}&lang=all",
                lambda format=format: (
                    _("Whole list as %(format)s, every language") % {"format": format.upper()}
                ),
            )
            for format in dataset.formats
            if format != "json"  # the API's pages, offered above
        ),
    ]
    bulk_url = absolute(reverse("api:bulk-file", kwargs={"name": dataset.name}))
    offered.append(("zip", bulk_url, bulk_url, _("Bulk file (ZIP), every language")))
    nodes = []
    for format, access, download, title in offered:
        node = URIRef(f"{absolute(reverse('api:catalog-jsonld'))}#{dataset.name}-{format}")
        file_type, media_type = FORMATS[format]
        graph.add((node, RDF.type, DCAT.Distribution))
        graph.add((node, DCAT.accessURL, URIRef(access)))
        if download:
            graph.add((node, DCAT.downloadURL, URIRef(download)))
        for literal in in_languages(title):
            graph.add((node, DCTERMS.title, literal))
        graph.add((node, DCTERMS.format, FILE_TYPE[file_type]))
        graph.add((node, DCAT.mediaType, URIRef(IANA + media_type)))
        graph.add((node, DCTERMS.license, licence))
        if format == "json":
            graph.add((node, DCTERMS.conformsTo, URIRef(absolute(reverse("api:schema")))))
        if format == "zip" and file is not None:
            size = file.size()
            graph.add((node, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
            graph.add((node, DCAT.packageFormat, URIRef(IANA + "application/zip")))
            graph.add((node, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
        nodes.append(node)
    return nodes


JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "locn": str(LOCN),
    "gsp": str(GSP),
    "skos": str(SKOS),
    "xsd": str(XSD),
}


def as_jsonld() -> bytes:
    return catalogue_graph().serialize(format="json-ld", context=JSONLD_CONTEXT).encode("utf-8")


def as_turtle() -> bytes:
    return catalogue_graph().serialize(format="turtle").encode("utf-8")
