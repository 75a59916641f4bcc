"""Pure helpers every app may use: text (NFC, slugs, markup, spreadsheet cells), geometry,
images and uploads, files, the client's address and the Permissions-Policy header, rate limits,
and the text of static files. Nothing here imports an app of ours (the import contract in
pyproject.toml says so), so each helper can be read, tested and reused on its own."""
