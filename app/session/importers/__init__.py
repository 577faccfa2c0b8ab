"""One module per format family of captures and logs other tools write; each keeps the
contract of `app.session.importing` (`NAME`, `sniff`, `read`), and the registry there picks
the first that recognises a file's content."""
