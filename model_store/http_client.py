"""One keep-alive HTTP(S) connection for byte-range requests, with the hub's token rules.

urllib opens a new connection (TCP + TLS handshake) per request; a multi-connection download
asks for many ranges in a row, so each worker keeps its connection open between them. The token
goes only to the hub's own origin, also across redirects; proxies from the environment
(HTTPS_PROXY, NO_PROXY, …) are honoured as urllib would.
"""
from __future__ import annotations

import base64
import http.client
import ssl
import urllib.request
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

MAX_REDIRECTS = 5


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@lru_cache(maxsize=1)
def ssl_context() -> ssl.SSLContext:
    try:
        import certifi  # what huggingface_hub's HTTP client trusts; Python's own store may be empty (macOS)
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _proxy_for(scheme: str, host: str) -> str | None:
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy if "://" in proxy else "http://" + proxy


class Connection:
    """Requests to one host after the other over one connection, reopened when needed."""

    def __init__(self, timeout: float, headers: dict[str, str], token_origin: tuple[str, str]):
        self._timeout = timeout
        self._headers = headers  # may carry the token: sent only to ``token_origin``
        self._token_origin = token_origin
        self._conn: http.client.HTTPConnection | None = None
        self._key: tuple | None = None
        self._proxy_headers: dict[str, str] = {}  # plain-HTTP proxies see each request

    def _connect(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url)
        proxy = _proxy_for(parts.scheme, parts.hostname or "")
        key = (parts.scheme, parts.netloc, proxy)
        if self._conn is None or self._key != key:
            self.close()
            port = parts.port or (443 if parts.scheme == "https" else 80)
            if proxy:
                p = urlsplit(proxy)
                proxy_headers = {}
                if p.username:
                    pair = f"{unquote(p.username)}:{unquote(p.password or '')}".encode()
                    proxy_headers["Proxy-Authorization"] = "Basic " + base64.b64encode(pair).decode()
                if parts.scheme == "https":
                    conn = http.client.HTTPSConnection(p.hostname, p.port or 80, timeout=self._timeout,
                                                       context=ssl_context())
                    conn.set_tunnel(parts.hostname, port, headers=proxy_headers)
                else:
                    conn = http.client.HTTPConnection(p.hostname, p.port or 80, timeout=self._timeout)
                    self._proxy_headers = proxy_headers
            elif parts.scheme == "https":
                conn = http.client.HTTPSConnection(parts.hostname, port, timeout=self._timeout, context=ssl_context())
            else:
                conn = http.client.HTTPConnection(parts.hostname, port, timeout=self._timeout)
            self._conn, self._key = conn, key
        target = url if (proxy and parts.scheme == "http") else (parts.path or "/") + (
            f"?{parts.query}" if parts.query else "")
        return self._conn, target

    def get(self, url: str, extra: dict[str, str]) -> http.client.HTTPResponse:
        """GET ``url`` following redirects; the caller reads the body, then calls ``done``."""
        for _ in range(MAX_REDIRECTS + 1):
            headers = dict(self._headers)
            if origin(url) != self._token_origin:
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            headers.update(extra)
            try:
                conn, target = self._connect(url)
                if self._key[2] and url.startswith("http:"):
                    headers.update(self._proxy_headers)
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
            except BaseException:
                self.close()
                raise
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                response.read(64 << 10)
                self.done(response)
                continue
            return response
        raise http.client.HTTPException(f"more than {MAX_REDIRECTS} redirects")

    def done(self, response: http.client.HTTPResponse) -> None:
        """Keep the connection for the next request only if this response was read to its end."""
        if response.length == 0:
            response.read()  # marks it complete; read1 alone leaves it open
        if not response.isclosed() or response.will_close:
            self.close()

    def close(self) -> None:
        """Also from another thread: unblocks a read waiting on the socket."""
        conn, self._conn, self._key = self._conn, None, None
        if conn is not None:
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(2)
                except OSError:
                    pass
            conn.close()
