"""A live mode's checked settings turned into what the engine runs with.

`app.settings` declares the options and checks their values; this module makes of them the
engine's configuration objects (`proxy_config`, `csms_setup`, `station_setup`, which build
TLS contexts and read answer-rules and password files), the cautions a run shows, and the
details its session header keeps. Each builder raises UsageError (values `check` rejects),
TlsSetupError (a certificate, key or CA file) or PolicyError (the answer rules file), all
`OcppScopeError`s with one sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from app.errors import InputError
from app.net import secrets, tls
from app.net.csms import CsmsConfig
from app.net.intercept import needs_terminating
from app.net.policy import ResponsePolicy
from app.net.proxy import ProxyConfig
from app.net.station import StationConfig
from app.settings import PASSWORD_ENV, SERVERS, checked, defaults, parse_address


def proxy_config(values: Mapping[str, Any]) -> ProxyConfig:
    v = checked("proxy", values)
    host, port = parse_address(v["listen"])
    return ProxyConfig(
        upstream=v["upstream"], host=host, port=port, max_size=v["max_size"],
        ping_interval=v["ping_interval"] or None, pong_timeout=v["pong_timeout"] or None,
        record_secrets=v["record_secrets"],
        upstream_auth=v["upstream_auth"], server_ssl=_server_ssl(v),
        # intercept rules need the terminating proxy (`app.net.intercept.needs_terminating`)
        transparent=v["transparent"] and not needs_terminating(v),
        upstream_ssl=tls.client_context(v["upstream_ca"] or None, v["upstream_cert"] or None,
                                        v["upstream_key"] or None, verify=not v["insecure"],
                                        keylog=v["tls_keylog"] or None)
        if _secure(v["upstream"]) else None)


def csms_setup(values: Mapping[str, Any]) -> tuple[CsmsConfig, ResponsePolicy]:
    v = checked("csms", values)
    host, port = parse_address(v["listen"])
    config = CsmsConfig(host=host, port=port, max_size=v["max_size"],
                        record_secrets=v["record_secrets"], server_ssl=_server_ssl(v),
                        ping_interval=v["ping_interval"] or None,
                        pong_timeout=v["pong_timeout"] or None)
    return config, _policy(v, heartbeat_interval=v["heartbeat_interval"])


def station_setup(values: Mapping[str, Any], environ: Mapping[str, str] | None = None
                  ) -> tuple[StationConfig, ResponsePolicy]:
    """`environ`: the command line passes `os.environ`, for `PASSWORD_ENV`."""
    v = checked("station", values)
    config = StationConfig(
        csms_url=v["csms"], station_id=v["station_id"], password=station_password(v, environ),
        vendor=v["vendor"], model=v["model"], connectors=[1] * v["connectors"],
        heartbeat_interval=v["heartbeat_interval"] or None, max_size=v["max_size"],
        record_secrets=v["record_secrets"], ping_interval=v["ping_interval"] or None,
        pong_timeout=v["pong_timeout"] or None,
        client_ssl=tls.client_context(v["ca"] or None, v["client_cert"] or None,
                                      v["client_key"] or None, verify=not v["insecure"],
                                      keylog=v["tls_keylog"] or None)
        if _secure(v["csms"]) else None)
    return config, _policy(v)


def station_password(values: Mapping[str, Any], environ: Mapping[str, str] | None = None
                     ) -> str | None:
    """The Basic auth password from the first source given: the password itself, the first
    line of the password file, `PASSWORD_ENV` in `environ`; None for no password. Raises
    InputError for a password file that cannot be read or is empty."""
    if values.get("password"):
        return str(values["password"])
    path = values.get("password_file")
    if path:
        try:
            with open(path, encoding="utf-8") as stream:
                line = stream.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise InputError(f"password file '{path}' cannot be read: {why}") from None
        if not line:
            raise InputError(f"password file '{path}' has no password on its first line")
        return line
    return (environ or {}).get(PASSWORD_ENV) or None


def cautions(mode: str, values: Mapping[str, Any]) -> list[str]:
    """The choices in `values` that weaken safety or will not do what they say, one
    sentence each, for the command line to print and the window to show while the mode
    runs. Listening beyond loopback is told by `app.net.links.listening_caution` once the
    real port is known."""
    found = []
    if mode in ("proxy", "station") and values.get("insecure"):
        found.append("certificate checks are off: the CSMS's TLS certificate is not "
                     "verified, so anyone on the way can pose as the CSMS and read the traffic")
    if values.get("tls_keylog"):
        found.append(keylog_caution(mode, values))
    if (mode == "proxy" and values.get("ping_interval") and values.get("transparent", True)
            and not values.get("rules")):  # intercept rules make it terminating
        found.append("no pings of our own: the wire-transparent proxy cannot put one into "
                     "the byte stream, so the ping interval applies only with "
                     "--no-transparent (the peers' own pings still travel end to end)")
    if mode == "proxy" and values.get("transparent", True) and needs_terminating(values):
        found.append("not wire-transparent: intercept rules need a WebSocket stack per hop, "
                     "so the proxy terminates WebSocket on each hop (pings are answered per "
                     "hop and not recorded; fragments are joined)")
    return found


def keylog_caution(mode: str, values: Mapping[str, Any]) -> str:
    """The warning a key log earns: it holds secrets; and when no hop of `mode` uses TLS,
    that it will stay empty."""
    v = {**defaults(mode), **values}
    path = v["tls_keylog"]
    secure = (bool(v.get("cert")) if mode in SERVERS else False) or (
        mode == "proxy" and _secure(v["upstream"])) or (mode == "station" and _secure(v["csms"]))
    if not secure:
        return (f"TLS key log '{path}' stays empty: no connection of this {mode} uses TLS "
                "(give a certificate, or a wss:// URL)")
    return (f"TLS session secrets are written to '{path}': anyone with this file can decrypt "
            "captures of this traffic; keep it private and delete it when done")


def header_details(mode: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """What a session header says of a mode's settings: where it listened and whom it
    connected to (URLs without passwords and tokens unless `record_secrets`), and that
    certificate checks were off. Missing values count as defaults."""
    v = {**defaults(mode), **values}
    keep = bool(v.get("record_secrets"))
    details: dict[str, Any] = {}
    if mode in SERVERS:
        details["listen"] = v["listen"]
    if mode == "proxy":
        details["upstream"] = secrets.recorded_url(v["upstream"], keep)
    if mode == "station":
        details["csms"] = secrets.recorded_url(v["csms"], keep)
        details["station"] = v["station_id"]
    if v.get("insecure"):
        details["insecure"] = True
    timeout = v.get("answer_timeout")
    if isinstance(timeout, int | float):  # loading the session judges CALLs by it too
        details["answer_timeout"] = float(timeout)
    return details


def _secure(url: str) -> bool:
    return urlsplit(url).scheme == "wss"


def _server_ssl(v: Mapping[str, Any]) -> Any:
    if not v["cert"]:
        return None
    return tls.server_context(v["cert"], v["key"] or None, v["client_ca"] or None,
                              keylog=v["tls_keylog"] or None)


def _policy(v: Mapping[str, Any], **options: Any) -> ResponsePolicy:
    if v["responses"]:
        return ResponsePolicy.from_file(v["responses"], strict=v["strict"], **options)
    return ResponsePolicy(strict=v["strict"], **options)
