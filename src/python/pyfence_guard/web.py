"""The script's only way onto the network, and to what a browser keeps per
origin: `pyfence.web` (fetch, fetch_async, XMLHttpRequest, WebSocket,
local_storage, cookies).

The guard checks each target against the script's origin and the policy's
CORS origins and records a violation when it is refused; the worker then
performs the request under the browser's rules (preflight, Access-Control-
Allow-Origin, credentials), and the worker's Deno net permission admits
only those hosts. Cookies and local storage are the host's: they are
reached through host calls (calls.py) that the host answers for the run's
own origin only. Only strings and numbers cross between here and
JavaScript.

Waiting (a request, a WebSocket message) suspends the interpreter; the
`_async` forms are awaitable and wait the same way, so they run one at a
time.
"""

import base64
import json
import math
import types
from urllib.parse import urljoin, urlsplit

from .aio import wait_host
from .calls import HostError


class NetworkError(OSError):
    """The request was allowed but failed (connection refused, bad response)."""


class ResponseTooLargeError(NetworkError):
    """The response body is larger than the run may receive (a limit, not a violation)."""


class WebSocketLimitError(NetworkError):
    """A WebSocket cap of the run was reached: open sockets, messages, or a message's size."""


class ConnectionClosed(NetworkError):
    """The WebSocket is closed; `code` and `reason` are the closing handshake's."""

    def __init__(self, code, reason, message=None):
        super().__init__(message or f"the WebSocket is closed (code {code}{', ' + reason if reason else ''})")
        self.code = code
        self.reason = reason


class QuotaExceededError(Exception):
    """local_storage would hold more than the origin's quota (`storage.quota_bytes`)."""


for _cls in (NetworkError, ResponseTooLargeError, WebSocketLimitError, ConnectionClosed,
             QuotaExceededError):
    _cls.__module__ = "pyfence.web"

_CREDENTIALS = ("omit", "same-origin", "include")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WS_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}
# RFC 9110 token characters: what a header name may be.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# What a cookie's name and value may not contain (RFC 6265 cookie-octets, leniently).
_COOKIE_FORBIDDEN = frozenset(';,\r\n\x00\x7f') | frozenset(map(chr, range(0x20)))

# The limit exception (ResponseTooLargeError, WebSocketLimitError) this
# interpreter's one run was refused with, if any: only that object stands for
# the limit, whatever the name of what the script raises.
raised_limit = None


def reset_limit():
    """A session's next script: no limit raised by it yet."""
    global raised_limit
    raised_limit = None


def _origin_of(url, schemes=None):
    """The serialised origin of an absolute URL (`ws`/`wss` read as
    `http`/`https` when `schemes` maps them), or None when it has none."""
    parts = urlsplit(url)
    scheme = (schemes or {"http": "http", "https": "https"}).get(parts.scheme)
    if scheme is None or not parts.hostname:
        return None
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        # The host serialises origins as the URL standard does: IDNA (punycode).
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{scheme}://{host}" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")


def _text(value, what):
    """`value` as an exact str (a subclass is read through str's own method), else TypeError."""
    if not issubclass(type(value), str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return str.__str__(value)


def _header_pairs(headers):
    """Header pairs as the worker takes them; a name that is not a token, or
    a value with CR, LF or NUL, is refused here (nothing is sent)."""
    pairs = []
    for k, v in dict(headers or {}).items():
        name, value = _text(k, "a header name"), _text(v, "a header value")
        if not name or any(c not in _TOKEN for c in name):
            raise ValueError(f"not a header name: {name[:100]!r}")
        if any(c in "\r\n\x00" for c in value):
            raise ValueError(f"header {name!r}: a value may not contain CR, LF or NUL")
        pairs.append([name, value])
    return pairs


def make_web(run, host, channel, json_loads):
    """Build the `pyfence.web` namespace for one run.

    `host` is the worker's object (fetch, ws_*): its functions return JSON
    text, or promises of it, which `wait` waits for; `channel` makes host
    calls (local storage, cookies); `json_loads` is the script's json.loads
    (the same nesting limit)."""
    network = run.config.network
    origin = network.get("origin")
    cors = frozenset(network.get("cors") or ())
    same_origin = bool(network.get("same_origin"))
    websocket_allowed = bool(network.get("websocket")) and origin is not None
    storage_allowed = bool(run.config.storage) and origin is not None

    def wait(call, *args):
        """Call a worker function that returns a promise and wait for it
        (aio.wait_host: the deadline's interrupt is held meanwhile)."""
        # What the script printed so far reaches the caller before anything waits.
        run.sink.flush()
        return str(wait_host(call, *args))

    def refuse(detail, kind="network"):
        run.violation(kind, detail)

    def checked(url, kind, schemes=None):
        """The absolute URL if the rules let the script reach it (before any
        CORS check); else a violation of `kind`."""
        url = _text(url, "url")
        if origin is None:
            refuse(f"no network for a script with origin null: {url[:200]}", kind)
        absolute = urljoin(origin + "/", url)
        target = _origin_of(absolute, schemes)
        if target is None:
            allowed = "ws, wss, http and https" if schemes else "http and https"
            refuse(f"only {allowed} URLs are allowed: {url[:200]}", kind)
        if target == origin:
            if not same_origin:
                refuse(f"same-origin requests are off: {url[:200]}", kind)
        elif target not in cors:
            refuse(f"cross-origin {'WebSocket' if schemes else 'request'} to {target} "
                   "is not allowed by the policy", kind)
        return absolute

    def outcome(text, kind="network"):
        """The worker's answer as data, or the exception it stands for."""
        data = json.loads(text)
        error = data.get("error") if type(data) is dict else None
        if not error:
            return data
        message = str(error.get("message"))
        if error.get("kind") == "refused":
            refuse(message, kind)
        if error.get("kind") == "limit":
            global raised_limit
            raised_limit = (WebSocketLimitError if kind == "websocket" else ResponseTooLargeError)(message)
            raise raised_limit
        raise NetworkError(message)

    class Response:
        """An HTTP response: status, headers, and the body as bytes."""

        __slots__ = ("status", "status_text", "url", "headers", "content")

        def __init__(self, data):
            self.status = data["status"]
            self.status_text = data["statusText"]
            self.url = data["url"]
            self.headers = {k.lower(): v for k, v in data["headers"]}
            self.content = base64.b64decode(data["body"])

        @property
        def ok(self):
            return 200 <= self.status < 300

        def text(self, encoding="utf-8"):
            return self.content.decode(encoding, "replace")

        def json(self):
            return json_loads(self.content)

        def __repr__(self):
            return f"<Response {self.status} {self.url}>"

    def fetch(url, method="GET", headers=None, body=None, credentials="same-origin"):
        """Fetch `url` (relative URLs resolve against the script's origin).
        `credentials` says when cookies go with it, as in a browser:
        "same-origin" (the default), "include" (to a CORS origin too, if it
        allows credentials) or "omit"."""
        absolute = checked(url, "network")
        method = _text(method, "method")
        pairs = _header_pairs(headers)
        credentials = _text(credentials, "credentials")
        if credentials not in _CREDENTIALS:
            raise ValueError(f"credentials must be one of {', '.join(_CREDENTIALS)}")
        if issubclass(type(body), str):
            body = str.__str__(body).encode("utf-8")
        if body is not None and not issubclass(type(body), (bytes, bytearray)):
            raise TypeError("body must be str or bytes")
        encoded = None if body is None else base64.b64encode(bytes(body)).decode("ascii")
        return Response(outcome(wait(host.fetch, method, absolute, json.dumps(pairs), encoded, credentials)))

    async def fetch_async(url, method="GET", headers=None, body=None, credentials="same-origin"):
        """`await fetch_async(...)`: fetch() for async code (same rules and arguments)."""
        return fetch(url, method, headers, body, credentials)

    class XMLHttpRequest:
        """The synchronous XMLHttpRequest of the spec's §4, on top of fetch."""

        __slots__ = ("_method", "_url", "_headers", "status", "statusText",
                     "responseText", "readyState", "_response", "withCredentials")

        def __init__(self):
            self._method = None
            self._url = None
            self._headers = {}
            self._response = None
            self.status = 0
            self.statusText = ""
            self.responseText = ""
            self.readyState = 0
            self.withCredentials = False

        def open(self, method, url, is_async=False):
            if is_async:
                raise ValueError("only synchronous XMLHttpRequest is available; use fetch")
            self._method, self._url = method, url
            self.readyState = 1

        def setRequestHeader(self, name, value):
            self._headers[name] = value

        def send(self, body=None):
            if self.readyState != 1:
                raise ValueError("call open() first")
            credentials = "include" if self.withCredentials is True else "same-origin"
            r = fetch(self._url, self._method, self._headers, body, credentials)
            self._response = r
            self.status, self.statusText = r.status, r.status_text
            self.responseText = r.text()
            self.readyState = 4

        def getResponseHeader(self, name):
            return None if self._response is None else self._response.headers.get(name.lower())

    def socket_url(url):
        if origin is not None and not websocket_allowed:
            refuse("WebSocket is not allowed by the policy (network.websocket)", "websocket")
        absolute = checked(url, "websocket", _WS_SCHEMES)
        if "#" in absolute:
            raise ValueError("a WebSocket URL has no fragment")
        return absolute

    def subprotocols(protocols):
        if protocols is None:
            return []
        if issubclass(type(protocols), str):
            protocols = [protocols]
        return [_text(p, "a subprotocol") for p in list(protocols)]

    class WebSocket:
        """A WebSocket connection, synchronous like fetch(): connecting,
        `send(str | bytes)` and `recv(timeout=None)` wait for the network.
        Only to the script's origin (`ws:`/`wss:` for `http:`/`https:`) or a
        CORS origin of the policy, with the script's `Origin`; closed when
        the run ends."""

        __slots__ = ("_id", "url", "protocol", "_closed")

        def __init__(self, url, protocols=None):
            self._id = None
            self._closed = None
            target = socket_url(url)
            opened = outcome(wait(host.ws_open, target, json.dumps(subprotocols(protocols))), "websocket")
            self._id = int(opened["id"])
            self.url = target
            self.protocol = str(opened["protocol"])

        def send(self, message):
            """Send a text (str) or binary (bytes) message."""
            if issubclass(type(message), str):
                answer = host.ws_send(self._id, str.__str__(message), None)
            elif issubclass(type(message), (bytes, bytearray)):
                answer = host.ws_send(self._id, None, base64.b64encode(bytes(message)).decode("ascii"))
            else:
                raise TypeError("a WebSocket message is a str or bytes")
            outcome(str(answer), "websocket")

        def recv(self, timeout=None):
            """The next message (str or bytes); TimeoutError after `timeout`
            seconds without one; ConnectionClosed once the socket is closed."""
            if timeout is not None:
                if issubclass(type(timeout), bool) or not issubclass(type(timeout), (int, float)):
                    raise TypeError("timeout must be a number of seconds or None")
                timeout = float(timeout)
                if math.isnan(timeout) or timeout < 0:
                    raise ValueError("timeout must be a non-negative number of seconds")
            ms = None if timeout is None else min(timeout * 1000, 2 ** 31 - 1)
            while True:
                got = outcome(wait(host.ws_recv, self._id, ms), "websocket")
                kind = got["type"]
                # The sandbox process signalled the interpreter: it handles
                # the signal (flushing output, or ending the run), then waits on.
                if kind == "interrupted":
                    continue
                if kind == "text":
                    return str(got["data"])
                if kind == "binary":
                    return base64.b64decode(got["data"])
                if kind == "timeout":
                    raise TimeoutError(f"no WebSocket message within {timeout} s")
                self._closed = (int(got["code"]), str(got["reason"]))
                why = got.get("why")
                raise ConnectionClosed(self._closed[0], self._closed[1],
                                       None if why is None else f"the WebSocket was closed: {why}")

        def close(self, code=None, reason=None):
            """Close the connection (a no-op if it is closed)."""
            if self._id is None:
                return
            if code is not None and (issubclass(type(code), bool) or not issubclass(type(code), int)):
                raise TypeError("code must be an int")
            reason = None if reason is None else _text(reason, "reason")
            outcome(str(host.ws_close(self._id, None if code is None else int.__index__(code), reason)),
                    "websocket")

        def __iter__(self):
            """Messages until the socket is closed normally."""
            while True:
                try:
                    yield self.recv()
                except ConnectionClosed as e:
                    if e.code in (1000, 1005):
                        return
                    raise

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()
            return False

        def __repr__(self):
            return f"<WebSocket {self.url}{' closed' if self._closed else ''}>"

    class AsyncWebSocket:
        """A WebSocket for async code: `ws = await websocket_async(url)`,
        `await ws.send(m)`, `await ws.recv()`, `async for m in ws`."""

        __slots__ = ("_socket",)

        def __init__(self, socket):
            self._socket = socket

        @property
        def url(self):
            return self._socket.url

        @property
        def protocol(self):
            return self._socket.protocol

        async def send(self, message):
            self._socket.send(message)

        async def recv(self, timeout=None):
            return self._socket.recv(timeout)

        async def close(self, code=None, reason=None):
            self._socket.close(code, reason)

        def __aiter__(self):
            return self

        async def __anext__(self):
            try:
                return self._socket.recv()
            except ConnectionClosed as e:
                if e.code in (1000, 1005):
                    raise StopAsyncIteration from None
                raise

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            self._socket.close()
            return False

        def __repr__(self):
            return f"<AsyncWebSocket {self._socket.url}>"

    async def websocket_async(url, protocols=None):
        """`ws = await websocket_async(url)`: an AsyncWebSocket (same rules as WebSocket)."""
        return AsyncWebSocket(WebSocket(url, protocols))

    def storage_call(service, name, args, label):
        if not storage_allowed:
            refuse("cookies and local storage are not allowed by the policy (storage.enabled)"
                   if origin is not None else "no storage for a script with origin null", "storage")
        return channel.call(service, name, args, label)

    class LocalStorage:
        """The origin's local storage: str keys and values, kept by the host
        across runs, within the origin's quota (QuotaExceededError)."""

        __slots__ = ()

        def get_item(self, key):
            """The value of `key`, or None."""
            return storage_call("storage", "get_item", [_text(key, "key")], "local_storage.get_item()")

        def set_item(self, key, value):
            """Set `key` to `value` (both str)."""
            answer = storage_call("storage", "set_item", [_text(key, "key"), _text(value, "value")],
                                  "local_storage.set_item()")
            if type(answer) is dict and answer.get("error") == "quota":
                raise QuotaExceededError(str(answer.get("message")))

        def remove_item(self, key):
            """Remove `key` (nothing happens if it is not there)."""
            storage_call("storage", "remove_item", [_text(key, "key")], "local_storage.remove_item()")

        def clear(self):
            """Remove every item of the origin."""
            storage_call("storage", "clear", [], "local_storage.clear()")

        def keys(self):
            """Every key, as a list."""
            out, after = [], None
            while True:
                page = storage_call("storage", "keys", [after], "local_storage.keys()")
                out.extend(str(k) for k in page["keys"])
                after = page["next"]
                if after is None:
                    return out

        def len(self):
            """How many items there are."""
            return int(storage_call("storage", "length", [], "local_storage.len()"))

        def __len__(self):
            return self.len()

        def __getitem__(self, key):
            value = self.get_item(key)
            if value is None:
                raise KeyError(key)
            return value

        def __setitem__(self, key, value):
            self.set_item(key, value)

        def __delitem__(self, key):
            if self.get_item(key) is None:
                raise KeyError(key)
            self.remove_item(key)

        def __contains__(self, key):
            return self.get_item(key) is not None

        def __iter__(self):
            return iter(self.keys())

        def get(self, key, default=None):
            value = self.get_item(key)
            return default if value is None else value

        def __repr__(self):
            return f"<local_storage of {origin}>"

    def cookie_text(value, what):
        value = _text(value, what)
        if any(c in _COOKIE_FORBIDDEN for c in value):
            raise ValueError(f"{what} may not contain ';', ',', control characters or DEL")
        return value

    class Cookies:
        """The origin's cookies that are not HttpOnly, as `document.cookie`
        shows them: `cookies["name"]`, `cookies["name"] = "value"`, `del
        cookies["name"]`, `cookies.set(name, value, max_age=…, …)`."""

        __slots__ = ()

        def _pairs(self):
            return [(str(k), str(v)) for k, v in storage_call("cookies", "document_get", [], "cookies")]

        def __getitem__(self, name):
            for k, v in self._pairs():
                if k == name:
                    return v
            raise KeyError(name)

        def get(self, name, default=None):
            try:
                return self[name]
            except KeyError:
                return default

        def __contains__(self, name):
            return any(k == name for k, _ in self._pairs())

        def __iter__(self):
            return iter(self.keys())

        def __len__(self):
            return len(self._pairs())

        def keys(self):
            return [k for k, _ in self._pairs()]

        def items(self):
            return self._pairs()

        def set(self, name, value, max_age=None, path="/", secure=False, same_site=None):
            """Set a cookie of the origin (never HttpOnly: a script cannot set those)."""
            name = cookie_text(name, "a cookie name")
            if not name or "=" in name or " " in name:
                raise ValueError("a cookie name is not empty and has no '=' or space")
            parts = [f"{name}={cookie_text(value, 'a cookie value')}"]
            if max_age is not None:
                if issubclass(type(max_age), bool) or not issubclass(type(max_age), int):
                    raise TypeError("max_age must be an int (seconds)")
                parts.append(f"Max-Age={int.__index__(max_age)}")
            parts.append(f"Path={cookie_text(path, 'path')}")
            if secure:
                parts.append("Secure")
            if same_site is not None:
                same_site = _text(same_site, "same_site")
                if same_site.lower() not in ("strict", "lax", "none"):
                    raise ValueError("same_site must be 'Strict', 'Lax' or 'None'")
                parts.append(f"SameSite={same_site}")
            answer = storage_call("cookies", "document_set", ["; ".join(parts)], "cookies.set()")
            if type(answer) is dict and answer.get("error"):
                raise ValueError(f"the cookie was not set: {answer['error']}")

        def __setitem__(self, name, value):
            self.set(name, value)

        def delete(self, name, path="/"):
            """Remove a cookie (by expiring it)."""
            self.set(name, "", max_age=0, path=path)

        def __delitem__(self, name):
            if name not in self:
                raise KeyError(name)
            self.delete(name)

        def __repr__(self):
            return f"<cookies of {origin}>"

    return types.SimpleNamespace(
        fetch=fetch,
        fetch_async=fetch_async,
        XMLHttpRequest=XMLHttpRequest,
        Response=Response,
        WebSocket=WebSocket,
        AsyncWebSocket=AsyncWebSocket,
        websocket_async=websocket_async,
        local_storage=LocalStorage(),
        cookies=Cookies(),
        NetworkError=NetworkError,
        ResponseTooLargeError=ResponseTooLargeError,
        WebSocketLimitError=WebSocketLimitError,
        ConnectionClosed=ConnectionClosed,
        QuotaExceededError=QuotaExceededError,
        HostError=HostError,
    )


def web_modules(run, host, channel, json_loads):
    """The `pyfence` package and its `pyfence.web` module for one run."""
    web = types.ModuleType("pyfence.web")
    web.__doc__ = "The network, cookies and local storage of the script's origin."
    for name, value in vars(make_web(run, host, channel, json_loads)).items():
        setattr(web, name, value)
    package = types.ModuleType("pyfence")
    package.web = web
    return {"pyfence": package, "pyfence.web": web}
