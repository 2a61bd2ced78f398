"""The script's only way onto the network: `pyfence.web` (fetch, XMLHttpRequest).

The guard checks the target against the script's origin and the policy's
CORS origins and records a violation when it is refused; the worker then
performs the request under the browser's rules (preflight, Access-Control-
Allow-Origin), and the worker's Deno net permission admits only those hosts.
Only strings cross between here and JavaScript.
"""

import base64
import json
import types
from urllib.parse import urljoin, urlsplit

# Taken at import time, before the guard removes `pyodide` from sys.modules.
from pyodide.ffi import run_sync


class NetworkError(OSError):
    """The request was allowed but failed (connection refused, bad response)."""


class ResponseTooLargeError(NetworkError):
    """The response body is larger than the run may receive (a limit, not a violation)."""


def _origin_of(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        # The host serialises origins as the URL standard does: IDNA (punycode).
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    port = parts.port
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def make_web(run, fetch_sync, json_loads):
    """Build the `pyfence.web` namespace for one run.

    `fetch_sync(method, url, headers_json, body_b64_or_None) -> str` performs
    the request in the worker and returns JSON (a response or an error);
    `json_loads` is the script's json.loads (the same nesting limit).
    """
    network = run.config.network
    origin = network.get("origin")
    cors = frozenset(network.get("cors") or ())
    same_origin = bool(network.get("same_origin"))

    def refuse(detail):
        run.violation("network", detail)

    def loads(text):
        return json_loads(text)

    def resolve(url):
        if not issubclass(type(url), str):
            raise TypeError("url must be a str")
        url = str.__str__(url)
        if origin is None:
            refuse(f"no network for a script with origin null: {url[:200]}")
        absolute = urljoin(origin + "/", url)
        target = _origin_of(absolute)
        if target is None:
            refuse(f"only http and https URLs are allowed: {url[:200]}")
        if target == origin:
            if not same_origin:
                refuse(f"same-origin requests are off: {url[:200]}")
        elif target not in cors:
            refuse(f"cross-origin request to {target} is not allowed by the policy")
        return absolute

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
            return loads(self.content)

        def __repr__(self):
            return f"<Response {self.status} {self.url}>"

    def fetch(url, method="GET", headers=None, body=None):
        """Fetch `url` (relative URLs resolve against the script's origin)."""
        absolute = resolve(url)
        if not issubclass(type(method), str):
            raise TypeError("method must be a str")
        method = str.__str__(method)
        pairs = [[str(k), str(v)] for k, v in dict(headers or {}).items()]
        if issubclass(type(body), str):
            body = str.__str__(body).encode("utf-8")
        if body is not None and not issubclass(type(body), (bytes, bytearray)):
            raise TypeError("body must be str or bytes")
        encoded = None if body is None else base64.b64encode(bytes(body)).decode("ascii")
        data = json.loads(fetch_sync(method, absolute, json.dumps(pairs), encoded))
        error = data.get("error")
        if error:
            message = str(error.get("message"))
            if error.get("kind") == "refused":
                refuse(message)
            if error.get("kind") == "limit":
                raise ResponseTooLargeError(message)
            raise NetworkError(message)
        return Response(data)

    class XMLHttpRequest:
        """The synchronous XMLHttpRequest of the spec's §4, on top of fetch."""

        __slots__ = ("_method", "_url", "_headers", "status", "statusText",
                     "responseText", "readyState", "_response")

        def __init__(self):
            self._method = None
            self._url = None
            self._headers = {}
            self._response = None
            self.status = 0
            self.statusText = ""
            self.responseText = ""
            self.readyState = 0

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
            r = fetch(self._url, self._method, self._headers, body)
            self._response = r
            self.status, self.statusText = r.status, r.status_text
            self.responseText = r.text()
            self.readyState = 4

        def getResponseHeader(self, name):
            return None if self._response is None else self._response.headers.get(name.lower())

    return types.SimpleNamespace(
        fetch=fetch,
        XMLHttpRequest=XMLHttpRequest,
        Response=Response,
        NetworkError=NetworkError,
        ResponseTooLargeError=ResponseTooLargeError,
    )


def web_modules(run, host, json_loads):
    """The `pyfence` package and its `pyfence.web` module for one run."""

    def fetch_sync(method, url, headers_json, body_b64):
        # What the script printed so far reaches the caller before the request waits.
        run.sink.flush()
        return str(run_sync(host.fetch(method, url, headers_json, body_b64)))

    web = types.ModuleType("pyfence.web")
    for name, value in vars(make_web(run, fetch_sync, json_loads)).items():
        setattr(web, name, value)
    package = types.ModuleType("pyfence")
    package.web = web
    return {"pyfence": package, "pyfence.web": web}
