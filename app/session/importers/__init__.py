"""Importers: captures and logs of other tools read as records (`app.session.importing`)."""
