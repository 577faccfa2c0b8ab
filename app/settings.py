"""The options of the live modes (proxy, CSMS, station, demo), declared once.

Each `Setting` says its name, type, default, help, dialog label, limits and which modes use it.
Everything else is derived from this table, so the command line and the window cannot drift
apart again (they did: the window listened on 0.0.0.0, the command line on 127.0.0.1):

- `add_options(parser, mode)`: the command-line options, their help, conversions and groups;
- `check(mode, values)`: every problem with a set of values, in words, used by the command
  line (exit status 2) and by the start dialogs (a warning before they close);
- `app.mode_config`: checked values to engine configuration (`proxy_config`,
  `csms_setup`, `station_setup`), and the cautions and header details of a mode;
- `widgets.dialogs` builds its forms from `dialog_settings(mode)` and owns only widgets and
  what QSettings remembers.

Values are plain dicts from setting name to a value of the setting's type (what argparse
puts in its namespace, what a dialog's `values()` returns). Optional numbers use 0 for "not
set" (no pings, the CSMS's heartbeat interval), so that every default has its setting's type.
Listening is on 127.0.0.1 unless the user names another address: exposing a debugger to the
network is a choice, never a default, and `cautions` words the choices that weaken safety so
the command line and the window can say them out loud. Credentials never come from the table's
memory: the station's password is typed each time, read from `--password-file` or, on the
command line, from the environment (`PASSWORD_ENV`), so it stays out of `ps`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.errors import UsageError
from app.net import secrets
from app.net.keepalive import PONG_TIMEOUT
from app.net.observer import PONG_TIMEOUT as PEERS_PONG_TIMEOUT
from app.net.proxy import DEFAULT_MAX_SIZE
from app.ocpp.conversation import ANSWER_TIMEOUT, ANSWER_TIMEOUTS
from app.query import check_query

MODES = ("proxy", "csms", "station", "demo", "replay")
_LIVE = frozenset(MODES)
SERVERS = frozenset({"proxy", "csms"})
_REPLAY = frozenset({"replay"})
REPLAY = "replay"
_ANSWERING = frozenset({"csms", "station"})

TO_STATIONS = "TLS towards the stations (wss://)"
TO_CSMS = "TLS towards the CSMS (wss://)"
ANSWERS = "answers"
OUTPUT = "output"
# Where the command line finds the station's password when neither --password nor
# --password-file is given; the window never reads it (a form shows what it uses).
PASSWORD_ENV = "OCPPSCOPE_PASSWORD"


@dataclass(frozen=True, slots=True)
class Setting:
    """One option of one or more live modes.

    `kind` says how the value is checked and edited beyond its type: "url" (ws:// or wss://),
    "expression" (the filter language, see `app.query`),
    "address" (HOST:PORT), "file" (a path to read, with a browse button), "output" (a path
    to write, with a browse button that asks where), "size" (bytes; the command line takes
    64k or 10M) or "text". A setting without a `label` is for the command line
    only (printing). `required` settings must be given on the command
    line; the dialog proposes their default. A `secret` is shown as dots and, like any
    setting with `remember=False`, is not filled in from last time: each run starts without
    a password, and without switching certificate checks off.
    """

    name: str                   # key in values; argparse dest; QSettings key
    type: type                  # str, int, float or bool
    default: Any
    help: str                   # command-line help and the dialog's tool tip
    label: str = ""             # in the dialog; empty: command line only
    modes: frozenset[str] = _LIVE
    group: str = ""             # argparse group and dialog section; "" for the main ones
    kind: str = "text"
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    zero: str = ""              # what 0 (or an empty text) means in the window ("none")
    required: bool = False
    secret: bool = False
    remember: bool = True
    flag: str = ""              # when not --name-with-dashes
    metavar: str | None = None
    repeat: bool = False        # may be given several times: the value is then a list

    @property
    def option(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        """How problems name this setting: its label, which the help also shows."""
        return self.label or self.option

    @property
    def remembered(self) -> bool:
        return self.remember and not self.secret


def _tls_to_csms(mode: str, *, ca: str, cert: str, key: str) -> tuple[Setting, ...]:
    """The certificates of a mode that connects to a CSMS. The proxy and the station ask the
    same three things, with the same words; only their option names differ (each mode's
    names are the ones its users already type)."""
    modes = frozenset({mode})
    return (
        Setting(ca, str, "", kind="file", modes=modes, group=TO_CSMS,
                label="Trust CSMS certificates from CA", metavar="PEM",
                help="CA bundle to trust (default: the system's)"),
        Setting(cert, str, "", kind="file", modes=modes, group=TO_CSMS,
                label="Client certificate", metavar="PEM",
                help="client certificate to present to the CSMS (profile 3)"),
        Setting(key, str, "", kind="file", modes=modes, group=TO_CSMS,
                label="Client key", metavar="PEM", help="its private key"),
    )


_MAX_SIZE_LIMIT = 1024 ** 3
_DAY = 86400

SETTINGS: tuple[Setting, ...] = (
    Setting("listen", str, "127.0.0.1:9000", kind="address", modes=SERVERS | _REPLAY,
            label="Listen on", metavar="HOST:PORT",
            help="where stations connect; 0.0.0.0 also accepts stations from other machines"),
    # replaying a recorded session (`ocppscope replay FILE`)
    Setting("role", str, "station", flag="--as", modes=_REPLAY, required=True,
            choices=("station", "csms"), label="Replay as",
            help="the side to play: 'station' connects to --csms, 'csms' waits on --listen"),
    Setting("csms", str, "ws://localhost:9000/ocpp", kind="url", modes=_REPLAY,
            label="CSMS URL", metavar="URL",
            help="replaying as station: the CSMS base URL, ws:// or wss://; the station id "
                 "is appended"),
    Setting("station", str, "", modes=_REPLAY, label="Station", metavar="ID",
            help="the recorded station to replay (needed when the file holds several); as "
                 "csms, also the only station id accepted"),
    Setting("speed", float, 0.0, minimum=0, maximum=10_000, zero="as fast as the peer answers",
            modes=_REPLAY, label="Speed", metavar="FACTOR",
            help="0: each CALL as soon as the previous one is answered; 1: the recorded "
                 "timing; 10: ten times faster"),
    Setting("start_from", int, 0, minimum=0, zero="the start", modes=_REPLAY,
            label="Start from record", metavar="SEQ",
            help="start the replay at the record with this seq"),
    Setting("rewrite", str, "", modes=_REPLAY, repeat=True, metavar="PATH=VALUE",
            help="send VALUE in every field at PATH (dotted, without list indices, or its "
                 "tail: idToken.idToken=LAB-1); @station=ID changes the station id; VALUE "
                 "is read as JSON when it can be; repeatable"),
    Setting("rewrite_file", str, "", kind="file", modes=_REPLAY, label="Rewrite rules file",
            zero="none (a JSON object of PATH: VALUE rules, applied before the rules below)",
            metavar="FILE", help="a JSON object of PATH: VALUE rules, read before --rewrite"),
    Setting("filter", str, "", kind="expression", modes=_REPLAY, label="Only the CALLs",
            metavar="EXPR",
            help='replay only the CALLs this expression selects, with their answers, e.g. '
                 '\'action != "Heartbeat"\' (the filter language is in the README)'),
    Setting("ignore", str, "", modes=_REPLAY, repeat=True, metavar="PATH",
            help="also leave PATH out of the comparison (currentTime, every timestamp, "
                 "message ids and rewritten fields always are); repeatable"),
    Setting("report", str, "", modes=_REPLAY, repeat=True, metavar="FILE",
            help="write the comparison to FILE.json or FILE.html; repeatable"),
    Setting("settle", float, 5.0, minimum=0, maximum=_DAY, modes=_REPLAY,
            label="Wait for the peer's CALLs (s)", metavar="SECONDS",
            help="how long to wait for CALLs the peer sent in the recording but not yet"),
    Setting("wait", float, 0.0, minimum=0, maximum=_DAY, zero="until stopped", modes=_REPLAY,
            label="Wait for the station (s)", metavar="SECONDS",
            help="replaying as csms: how long to wait for the station to connect"),
    Setting("upstream", str, "ws://localhost:9001/ocpp", kind="url", modes=frozenset({"proxy"}),
            required=True, label="CSMS URL", metavar="URL",
            help="the CSMS base URL, ws:// or wss://, optionally with user:password@ for Basic "
                 "auth; the station id is appended"),
    Setting("rules", str, "", kind="file", modes=frozenset({"proxy"}),
            label="Intercept rules file", metavar="FILE",
            help="intercept rules (JSON or TOML: hold, rewrite, delay, drop, duplicate, answer, "
                 "close) applied to the frames their expressions select; see the README"),
    Setting("upstream_auth", str, "station", modes=frozenset({"proxy"}),
            choices=("station", "url"), label="Authorization sent to the CSMS",
            help="exactly one Authorization header goes to the CSMS: 'station' passes the "
                 "station's own (the URL's user:password only when the station sends none), "
                 "'url' replaces it with the user:password of the CSMS URL"),
    Setting("csms", str, "ws://localhost:9000/ocpp", kind="url", modes=frozenset({"station"}),
            required=True, label="CSMS URL", metavar="URL",
            help="the CSMS base URL, ws:// or wss://, optionally with user:password@ for Basic "
                 "auth; the station id is appended"),
    Setting("station_id", str, "CP-001", flag="--id", modes=frozenset({"station"}),
            required=True, label="Station id", metavar="ID",
            help="the station id, appended to the CSMS URL"),
    Setting("password", str, "", secret=True, modes=frozenset({"station"}),
            label="Basic auth password", metavar="TEXT",
            zero="none, or the password file's (the user is the station id)",
            help="HTTP Basic auth password (the user is the station id); given on the command "
                 "line, other users of this machine can read it in `ps`: prefer "
                 f"--password-file, or the environment variable {PASSWORD_ENV}, which the "
                 "command line uses when neither is given"),
    Setting("password_file", str, "", kind="file", modes=frozenset({"station"}),
            label="Basic auth password file", metavar="FILE",
            help="read the Basic auth password from the first line of FILE instead"),
    Setting("connectors", int, 1, minimum=1, maximum=100, modes=frozenset({"station"}),
            label="EVSEs", metavar="N", help="EVSEs with one connector each"),
    Setting("vendor", str, "OCPP Scope", modes=frozenset({"station"}), label="Vendor",
            help="vendorName in BootNotification"),
    Setting("model", str, "Virtual Station", modes=frozenset({"station"}), label="Model",
            help="model in BootNotification"),
    Setting("heartbeat_interval", int, 300, minimum=0, maximum=_DAY,
            modes=frozenset({"csms"}), label="Heartbeat interval (s)", metavar="SECONDS",
            help="the interval given in BootNotification answers"),
    Setting("heartbeat_interval", float, 0.0, minimum=0, maximum=_DAY, zero="the CSMS's",
            modes=frozenset({"station"}), label="Heartbeat interval (s)", metavar="SECONDS",
            help="override the interval the CSMS gives (default 0: use the CSMS's)"),
    Setting("transparent", bool, True, modes=frozenset({"proxy"}),
            label="Wire-transparent (cannot send messages through it)",
            help="after the HTTP upgrade, forward the bytes unchanged and observe them from "
                 "the side: pings, pongs, fragments, compression and close frames travel end "
                 "to end and are recorded; --no-transparent terminates WebSocket on each hop "
                 "instead, which sending messages through the proxy needs"),
    Setting("ping_interval", float, 0.0, minimum=0, maximum=_DAY, zero="none",
            modes=frozenset({"proxy"}), label="Ping interval (s)", metavar="SECONDS",
            help="terminating mode: send our own pings on both hops (default 0: none)"),
    Setting("ping_interval", float, 20.0, minimum=0, maximum=_DAY, zero="none",
            modes=frozenset({"station"}), label="Ping interval (s)", metavar="SECONDS",
            help="send our own WebSocket pings to the CSMS this often (0: none)"),
    Setting("ping_interval", float, 30.0, minimum=0, maximum=_DAY, zero="none",
            modes=frozenset({"csms"}), label="Ping interval (s)", metavar="SECONDS",
            help="send our own WebSocket pings to each station this often (0: none)"),
    Setting("pong_timeout", float, 0.0, minimum=0, maximum=_DAY,
            zero=f"the ping interval, at most {PONG_TIMEOUT:g} s",
            modes=frozenset({"station", "csms"}), label="Pong timeout (s)", metavar="SECONDS",
            help="a ping of ours unanswered this long is a missed pong: the connection is "
                 f"closed with 1011 (default 0: the ping interval, at most {PONG_TIMEOUT:g} s)"),
    Setting("pong_timeout", float, 0.0, minimum=0, maximum=_DAY,
            zero=f"{PEERS_PONG_TIMEOUT:g} s, or our ping interval", modes=frozenset({"proxy"}),
            label="Pong timeout (s)", metavar="SECONDS",
            help="how long a ping may wait for its pong before it is a missed pong: the "
                 "peers' pings in wire-transparent mode (default "
                 f"{PEERS_PONG_TIMEOUT:g} s), our own in terminating mode, which then "
                 f"closes with 1011 (default: the ping interval, at most {PONG_TIMEOUT:g} s)"),
    Setting("pace", float, 0.3, minimum=0, maximum=60, modes=frozenset({"demo"}),
            metavar="SECONDS", help="pause between steps"),
    Setting("keep_running", bool, False, modes=frozenset({"demo"}),
            help="stay connected (heartbeats) after the script until Ctrl-C"),
    Setting("answer_timeout", float, ANSWER_TIMEOUT, minimum=ANSWER_TIMEOUTS[0],
            maximum=ANSWER_TIMEOUTS[1],
            label="Answer timeout (s)", metavar="SECONDS",
            help="flag a CALL still unanswered after this long"),
    Setting("max_size", int, DEFAULT_MAX_SIZE, kind="size", minimum=1024,
            maximum=_MAX_SIZE_LIMIT, label="Largest frame (bytes)", metavar="BYTES",
            help="largest frame accepted, in bytes or with k or M; bigger ones close the "
                 "connection with 1009"),
    # TLS towards the stations: the proxy's and the CSMS's listening side
    Setting("cert", str, "", kind="file", modes=SERVERS, group=TO_STATIONS,
            label="Server certificate", metavar="PEM",
            help="server certificate (chain) to present; makes it listen on wss://"),
    Setting("key", str, "", kind="file", modes=SERVERS, group=TO_STATIONS,
            label="Server key", metavar="PEM",
            help="its private key, if not in the certificate file"),
    Setting("client_ca", str, "", kind="file", modes=SERVERS, group=TO_STATIONS,
            label="Require station certificates from CA", metavar="PEM",
            help="require station certificates signed by this CA (profile 3)"),
    # TLS towards the CSMS: the proxy's and the station's connecting side
    *_tls_to_csms("proxy", ca="upstream_ca", cert="upstream_cert", key="upstream_key"),
    *_tls_to_csms("station", ca="ca", cert="client_cert", key="client_key"),
    Setting("insecure", bool, False, modes=frozenset({"proxy", "station"}), group=TO_CSMS,
            remember=False, label="Do not verify the CSMS certificate",
            help="do not verify the CSMS certificate (testing only)"),
    # how the CSMS and the station answer requests
    Setting("responses", str, "", kind="file", modes=_ANSWERING, group=ANSWERS,
            label="Answer rules file", metavar="FILE",
            help="JSON file of per-action answer rules (see the README)"),
    Setting("strict", bool, False, modes=_ANSWERING, group=ANSWERS,
            label="Answer invalid requests with CALLERROR",
            help="answer schema-invalid requests with the CALLERROR the spec names"),
    # what is printed and recorded
    # never remembered: a second run would overwrite the first one's file
    Setting("record", str, "", kind="output", group=OUTPUT, remember=False,
            label="Record to", metavar="FILE", zero="a new file in the captures folder",
            help="write every frame and connection event to a session file (readable by you "
                 "only); the window records to a new file in its captures folder when this "
                 "is empty"),
    Setting("record_secrets", bool, False, group=OUTPUT, remember=False,
            label="Keep passwords and tokens in the record",
            help="also record Basic auth passwords, and passwords and tokens in URLs "
                 "(ws://user:***@host/...?token=*** by default)"),
    # never remembered: a key log must be asked for on each run, knowing what it holds
    Setting("tls_keylog", str, "", kind="output", modes=SERVERS | frozenset({"station"}),
            group=OUTPUT, remember=False, label="TLS key log (holds secrets)", metavar="FILE",
            help="append the session secrets of every TLS connection to FILE (NSS key log "
                 "format, readable by you only), so that Wireshark decrypts a capture of the "
                 "same traffic; anyone with the file can read that traffic"),
    Setting("quiet", bool, False, group=OUTPUT, help="print no line per frame"),
    Setting("json", bool, False, group=OUTPUT,
            help="print one JSON object per frame or event instead of text"),
)


def mode_settings(mode: str) -> tuple[Setting, ...]:
    """The settings of one mode, in the order the help and the dialog show them."""
    if mode not in MODES:
        raise KeyError(f"no live mode '{mode}'")
    return tuple(setting for setting in SETTINGS if mode in setting.modes)


def dialog_settings(mode: str) -> tuple[Setting, ...]:
    """The settings the window's start dialog shows (those with a label)."""
    return tuple(setting for setting in mode_settings(mode) if setting.label)


def defaults(mode: str) -> dict[str, Any]:
    return {setting.name: setting.default for setting in mode_settings(mode)}


# --- the command line -------------------------------------------------------------------


def add_options(parser: argparse.ArgumentParser, mode: str) -> None:
    """Add the options of `mode` to its subcommand's parser. Conversions (a number, a size
    like 64k) fail in argparse's words; limits and formats are `check`ed when it runs."""
    groups: dict[str, Any] = {"": parser}
    for setting in mode_settings(mode):
        if setting.group not in groups:
            groups[setting.group] = parser.add_argument_group(setting.group)
        options: dict[str, Any] = {"dest": setting.name, "help": _help(setting)}
        if setting.repeat:
            options.update(action=_Append, default=setting.default, metavar=setting.metavar)
        elif setting.type is bool:  # a switch; one that is on by default also gets --no-...
            options.update(default=setting.default, action=argparse.BooleanOptionalAction
                           if setting.default else "store_true")
        else:
            options.update(type=parse_size if setting.kind == "size" else setting.type,
                           metavar=setting.metavar)
            if setting.required:
                options["required"] = True
            else:
                options["default"] = setting.default
            if setting.choices:
                options["choices"] = setting.choices
        groups[setting.group].add_argument(setting.option, **options)


class _Append(argparse.Action):
    """Collects a repeatable option into a list, leaving the table's default (not a list)
    when it is not given, so that defaults stay of their setting's type."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        so_far = getattr(namespace, self.dest, None)
        setattr(namespace, self.dest, [*(so_far if isinstance(so_far, list) else []), values])


def repeated(value: Any) -> list[str]:
    """A repeatable setting's values as a list (none given: empty)."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _help(setting: Setting) -> str:
    text = setting.help
    if setting.default and not setting.required and setting.type is not bool:
        text += f" (default {show(setting, setting.default)})"
    return text.replace("%", "%%")


def show(setting: Setting, value: Any) -> str:
    """A value as the help and the problems write it (10M, 30, 0.5)."""
    if setting.kind == "size" and isinstance(value, int):
        for suffix, factor in (("M", 1024 ** 2), ("k", 1024)):
            if value and value % factor == 0:
                return f"{value // factor}{suffix}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parse_size(text: str) -> int:
    """65536, 64k or 10M, as bytes (for argparse: a bad one is an ArgumentTypeError)."""
    factor = {"k": 1024, "m": 1024 ** 2}.get(text[-1:].lower(), 1)
    number = text[:-1] if factor > 1 else text
    try:
        return int(number) * factor
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a size like 65536, 64k or 10M") from None


# --- checking ---------------------------------------------------------------------------


def check(mode: str, values: Mapping[str, Any]) -> list[str]:
    """Every problem with `values` for `mode`, one sentence each, naming the setting by its
    label; an empty list when the mode can start. Missing values count as defaults."""
    found: list[str] = []
    own = mode_settings(mode)
    for setting in own:
        value = values.get(setting.name, setting.default)
        found.extend(f"{setting.title}: {problem}" for problem in _problems(setting, value))
    names = {setting.name: setting for setting in own}
    if "password_file" in names and values.get("password") and values.get("password_file"):
        found.append(f"{names['password'].title}: give the password or "
                     f"{names['password_file'].title}, not both")
    if "upstream_auth" in names and values.get("upstream_auth") == "url" and (
            secrets.split_credentials(values.get("upstream", ""))[1] is None):
        found.append(f"{names['upstream_auth'].title}: 'url' needs a user and password in "
                     "the CSMS URL (ws://user:password@host/...)")
    return found


def _problems(setting: Setting, value: Any) -> list[str]:
    if setting.choices and value not in setting.choices:
        return [f"'{value}' is not one of {', '.join(map(str, setting.choices))}"]
    if setting.type is str:
        if setting.kind == "url":
            return _url_problems(value)
        if setting.kind == "address":
            try:
                parse_address(value)
            except UsageError as exc:
                return [str(exc)]
        elif setting.kind == "expression" and value.strip():
            error = check_query(value)
            return [] if error is None else [f"{error} ({value})"]
        elif setting.required and not value.strip():
            return ["must not be empty"]
        return []
    if setting.type in (int, float):
        if value != value:  # nan, which float() reads from 'nan' and every comparison passes
            return [f"must be a number, not {value}"]
        if setting.minimum is not None and value < setting.minimum:
            return [f"must be at least {show(setting, setting.minimum)}, "
                    f"not {show(setting, value)}"]
        if setting.maximum is not None and value > setting.maximum:
            return [f"must be at most {show(setting, setting.maximum)}, "
                    f"not {show(setting, value)}"]
    return []


def _url_problems(text: str) -> list[str]:
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # "ws://[::1/ocpp": a bracket left open
        return [f"'{secrets.mask_url(text)}' is not a URL ({exc})"]
    if parts.scheme not in ("ws", "wss"):
        return [f"'{secrets.mask_url(text)}' must start with ws:// or wss://"]
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return [f"'{secrets.mask_url(text)}' has a port that is not a number from 0 to 65535"]
    if not host:
        return [f"'{secrets.mask_url(text)}' names no host"]
    if parts.fragment or text.endswith("#"):  # the station id would land in the fragment
        return [f"'{secrets.mask_url(text)}' has a #fragment, which a WebSocket URL cannot "
                "have"]
    if parts.username is not None and parts.password is None:
        # what the window remembers of ws://user:password@host: the password is typed again
        return [f"'{text}' names the user '{parts.username}' but no password "
                "(write ws://user:password@host/...; passwords are not remembered)"]
    return []


def parse_address(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """HOST:PORT, :PORT or [v6]:PORT; a UsageError saying what is wrong otherwise."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or default_host
    try:
        number = int(port)
    except ValueError:
        raise UsageError(f"'{text}' is not HOST:PORT (for example 127.0.0.1:9000)") from None
    if not 0 <= number <= 65535:
        raise UsageError(f"port {number} is out of range (0 to 65535)")
    return host, number


def checked(mode: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` completed with the defaults; a UsageError (one problem a line) if any."""
    problems = check(mode, values)
    if problems:
        raise UsageError("\n".join(problems))
    complete = defaults(mode)
    complete.update((key, value) for key, value in values.items() if key in complete)
    return complete
