"""TLS contexts for OCPP security profiles 2 and 3 (wss://, optionally client certificates).

Errors in the files the user named (missing, unreadable, not PEM, key not matching the
certificate) become `TlsSetupError` with one sentence, raised before anything listens.

A key log (`keylog`, the `tls_keylog` setting) makes every connection of a context write its
session secrets in the NSS key log format that Wireshark reads, so that a packet capture of
the same traffic can be decrypted. The file is created readable by its owner only and is
appended to, so several runs (and the two hops of a proxy) can share one file.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from app.errors import TlsSetupError
from app.session.sessionfile import open_private


def _require(path: str | None, what: str) -> str | None:
    if path is None:
        return None
    if not Path(path).is_file():
        raise TlsSetupError(f"{what} '{path}' does not exist or is not a file")
    return path


def server_context(cert: str, key: str | None = None, client_ca: str | None = None,
                   keylog: str | None = None) -> ssl.SSLContext:
    """For listening on wss://. With `client_ca`, stations must show a certificate signed by
    it (security profile 3); with `keylog`, session secrets go to that file."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    _log_keys(context, keylog)
    _load_chain(context, _require(cert, "certificate"), _require(key, "key"))
    if client_ca:
        _load_ca(context, _require(client_ca, "client CA file"))
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def client_context(ca: str | None = None, cert: str | None = None, key: str | None = None,
                   verify: bool = True, keylog: str | None = None) -> ssl.SSLContext:
    """For connecting to wss://: trust `ca` (or the system store), optionally present a client
    certificate (security profile 3); with `keylog`, session secrets go to that file."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    _log_keys(context, keylog)
    if ca:
        _load_ca(context, _require(ca, "CA file"))
    if cert:
        _load_chain(context, _require(cert, "client certificate"), _require(key, "client key"))
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _load_chain(context: ssl.SSLContext, cert: str | None, key: str | None) -> None:
    try:
        context.load_cert_chain(cert or "", key)
    except ssl.SSLError as exc:
        raise TlsSetupError(
            f"cannot use certificate '{cert}'" + (f" with key '{key}'" if key else "")
            + f": {exc.reason or exc} (is it PEM, and does the key match?)") from None
    except OSError as exc:
        raise TlsSetupError(f"cannot read certificate '{cert}': {exc.strerror}") from None


def _load_ca(context: ssl.SSLContext, ca: str | None) -> None:
    try:
        context.load_verify_locations(cafile=ca)
    except (ssl.SSLError, OSError) as exc:
        raise TlsSetupError(f"cannot use CA file '{ca}': {exc}") from None


def _log_keys(context: ssl.SSLContext, keylog: str | None) -> None:
    """Send the context's session secrets to `keylog`, created private first: OpenSSL would
    otherwise create it with the umask's mode, readable by others on most systems."""
    if not keylog:
        return
    try:
        open_private(Path(keylog), append=True).close()
        context.keylog_filename = keylog
    except OSError as exc:
        raise TlsSetupError(f"cannot write the TLS key log '{keylog}': "
                            f"{exc.strerror or exc}") from None
