"""Credentials in URLs: kept out of everything we write, sent exactly once where they belong.

Users put credentials into the URLs they give us: `ws://user:password@csms/ocpp` or
`wss://csms/ocpp?token=...`. Those URLs end up in session headers, connection records,
console lines and the window's settings, and session files get mailed around; so every URL
we record, print or store passes through here first:

- `mask_url` shows `ws://user:***@csms/ocpp?token=***`: the password and every query value
  whose key looks like a credential (`SECRET_KEYS`) are replaced, everything else is kept,
  so the URL still says where it went. Recordings keep the original with `--record-secrets`
  (`recorded_url`).
- `forget_secrets` is for what is remembered between runs: the password and the secret
  query values are left out altogether (`ws://user@csms/ocpp?token=`), so the dialog shows
  the user what to type again instead of a mask that would be sent as a password.

For connecting, `split_credentials` takes the user and password out of the URL: websockets
would otherwise add an `Authorization` header of its own beside the one we pass on, and a
CSMS receiving two tends to take the wrong one or refuse both.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from websockets.headers import build_authorization_basic

MASK = "***"

# Query keys whose values are credentials, compared lowercased without "-", "_" and ".":
# a key that is one of these or ends with one (access_token, X-Api-Key, client_secret).
SECRET_KEYS = ("token", "auth", "key", "password", "passwd", "pwd", "secret", "apikey",
               "accesstoken", "authorization", "credential", "credentials", "signature")

# A URL urlsplit cannot read (a broken [IPv6] host): still hide "user:password@".
_USERINFO = re.compile(r"(//[^/?#@:]*):[^/?#@]*@")


def is_secret_key(key: str) -> bool:
    """Whether a query parameter named `key` carries a credential (case-insensitive)."""
    plain = re.sub(r"[-_.]", "", unquote(key)).lower()
    return any(plain.endswith(word) for word in SECRET_KEYS)


def mask_url(url: str) -> str:
    """`url` with its password and credential query values replaced by `***`.

    Works on absolute URLs and on request paths (`/ocpp/CP1?token=...`) alike; the rest of
    the URL is left as written."""
    return _rewrite(url, MASK, keep_password_field=True)


def recorded_url(url: str, record_secrets: bool) -> str:
    """What a record, a header or the console may say of `url`: all of it only when the
    user asked for secrets to be recorded."""
    return url if record_secrets else mask_url(url)


def forget_secrets(url: str) -> str:
    """`url` without its password and with credential query values emptied: what may be
    remembered between runs."""
    return _rewrite(url, "", keep_password_field=False)


def _rewrite(url: str, replacement: str, *, keep_password_field: bool) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # unreadable: hide at least the userinfo's password
        return _USERINFO.sub(r"\1:" + replacement + "@" if keep_password_field else r"\1@",
                             url)
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{replacement}@{hostport}" if keep_password_field else (
            f"{user}@{hostport}")
    query = _rewrite_query(parts.query, replacement)
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # nothing secret: exactly as written
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))


def _rewrite_query(query: str, replacement: str) -> str:
    """Each `key=value` whose key is secret gets `replacement` as its value; the order,
    the separators and the encoding of everything else stay as they were. Items are split
    at `&`, `;` and also at a second `?` (a base URL with a query that had a path appended
    to it), so that no token hides behind a separator we did not expect."""
    if not query:
        return query
    pieces = re.split(r"([&;?])", query)
    for index in range(0, len(pieces), 2):  # the odd ones are the separators
        key, equals, value = pieces[index].partition("=")
        if equals and value and is_secret_key(key):
            pieces[index] = f"{key}={replacement}"
    return "".join(pieces)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` without its `user:password@`, and the (user, password) it held, decoded; None
    when it held none. A user without a password counts as one with an empty password.
    A URL urlsplit cannot read comes back as it is, for the connection to fail in words."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, None
    user, _, password = userinfo.partition(":")
    bare = urlunsplit(SplitResult(parts.scheme, hostport, parts.path, parts.query,
                                  parts.fragment))
    return bare, (unquote(user), unquote(password))


def basic_authorization(user: str, password: str) -> str:
    """The value of an `Authorization: Basic` header for these credentials."""
    return build_authorization_basic(user, password)


def choose_authorization(own: list[str], from_url: tuple[str, str] | None,
                         prefer: str = "station") -> tuple[dict[str, str], str]:
    """The one Authorization header a proxy sends upstream, and whose it is.

    `own` are the station's Authorization values, `from_url` the upstream URL's credentials.
    The station's own header goes through unless `prefer` is "url" and the URL has
    credentials; the URL's are used when the station sends none. Returns the headers to add
    and "station", "url" or "none" for the record.
    """
    if from_url is not None and (prefer == "url" or not own):
        return {"Authorization": basic_authorization(*from_url)}, "url"
    if own:
        return {"Authorization": own[0]}, "station"
    return {}, "none"
