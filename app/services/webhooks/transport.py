"""The HTTP POST of one delivery attempt, safe against DNS rebinding.

The host name is resolved once; every address it resolves to is checked (private, loopback,
link-local, reserved and multicast ones are refused unless the operator allows private targets) and
the connection goes to the first of those checked addresses, never to a second lookup's answer. The
request still carries the name: `Host` header, and for https the TLS SNI and certificate check.
http.client never follows redirects, so a 3xx is recorded as the receiver's (failed) answer.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TIMEOUT_S = 10.0
EXCERPT = 500


@dataclass(frozen=True)
class Response:
    status: int | None  # None: no HTTP answer (timeout, refused connection, refused address)
    text: str


class Refused(Exception):
    """The address rule refuses this host (or it does not resolve)."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> tuple[int, tuple]:
    """(family, socket address) to connect to, after checking every address `host` resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"The host {host} does not resolve ({error}).") from None
    if not infos:
        raise Refused(f"The host {host} does not resolve.")
    if not allow_private and not all(is_public(info[4][0]) for info in infos):
        raise Refused("This address is private or local; webhooks go to public addresses only.")
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr


def open_socket(family: int, sockaddr: tuple, timeout: float) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body go out at once
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except OSError:
        sock.close()
        raise
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, pin: tuple[int, tuple], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pin = pin

    def connect(self):
        self.sock = open_socket(*self.pin, self.timeout)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self):
        raw = open_socket(*self.pin, self.timeout)
        self.sock = ssl.create_default_context().wrap_socket(raw, server_hostname=self.host)


@dataclass(frozen=True)
class HttpPoster:
    """POSTs with a TIMEOUT_S timeout per socket operation, no redirects, the address rule on the
    address actually connected to."""

    allow_private: bool
    timeout: float = TIMEOUT_S
    _classes: dict = field(default_factory=lambda: {"http": _PinnedHTTP, "https": _PinnedHTTPS}, repr=False)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in self._classes or not parts.hostname:
            return Response(None, "Not an http:// or https:// URL.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            pin = resolve(parts.hostname, port, allow_private=self.allow_private)
        except Refused as refused:
            return Response(None, str(refused)[:EXCERPT])
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = self._classes[parts.scheme](parts.hostname, parts.port, pin, self.timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read(EXCERPT * 4).decode("utf-8", errors="replace")
            return Response(answer.status, text[:EXCERPT])
        except (OSError, http.client.HTTPException, ValueError) as error:  # timeouts, resets, TLS
            return Response(None, f"{type(error).__name__}: {error}"[:EXCERPT])
        finally:
            connection.close()
