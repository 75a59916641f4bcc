"""The open-data API, /api/v1/: published places, people, communes and plates for anyone, as
JSON, GeoJSON or CSV; writes for the Department's other systems with a staff token.

Reads start from what the account may read (`sites.roles`): for anonymous clients, print shops,
installers and the steering committee that is `published()`, like the public pages, so a draft
never appears, not in a list, a filter, an export or a detail; an editor also reads the
unpublished records of their communes, a reviewer every record. Writes go through the content's
one write path (`sites.services`), as the admin's and the spreadsheet import's do. Errors are JSON
in the request's language. The schema (/api/schema/) and its docs (/api/docs/) are generated from
these classes; `api.md` is the schema's introduction.

Where things are: `urls` (addresses), `views` (the endpoints), `generics` (what they share),
`serializers` (what a record says and what staff may send), `filters` (list parameters),
`renderers` (CSV, GeoJSON), `negotiation` (format and language), `pagination`, `permissions`,
`throttles`, `errors` (the one error body), `schema` (OpenAPI), `middleware` (CORS).
"""
