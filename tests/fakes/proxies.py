"""Proxies on loopback, as strict as the real thing where Tocsin can notice.

`HttpProxy` forwards absolute-form requests (`GET http://host/path`) and tunnels
`CONNECT host:port`, as Squid does; `Socks5Proxy` speaks RFC 1928 (no authentication,
or RFC 1929 user and password) for CONNECT requests by IPv4, IPv6 or domain name.
Both resolve names themselves, from their own table (as a real proxy uses its own
DNS), connect out from their own `source` address (so the feed server can tell a
proxied request from a direct one), require credentials when given some, and record
every target they forwarded to.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

_HEAD_LIMIT = 64 * 1024
_BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"


@dataclass
class _Proxy:
    # Names the proxy resolves, to addresses; anything else must be an IP literal.
    names: dict[str, str] = field(default_factory=dict)
    # The address the proxy connects out from.
    source: str = "127.0.0.5"
    user: str | None = None
    password: str | None = None
    # "host:port" of each connection the proxy made for a client.
    forwarded: list[str] = field(default_factory=list)
    # Connections clients opened to the proxy, whatever they asked for.
    connections: int = 0
    # Clients that came and were refused (bad credentials, an unknown name).
    refused: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    def resolve(self, host: str) -> str | None:
        if host in self.names:
            return self.names[host]
        try:
            return str(ipaddress.ip_address(host))
        except ValueError:
            return None

    async def connect_or_refuse(
        self, host: str, port: int, writer: asyncio.StreamWriter, refusal: bytes
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """A connection to the target, or None once `refusal` went to the client."""
        try:
            return await self.connect_out(host, port)
        except OSError:
            self.refused += 1
            writer.write(refusal)
            await writer.drain()
            return None

    async def connect_out(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        address = self.resolve(host)
        if address is None:
            raise OSError(f"{host}: name not known to the proxy")
        connection = await asyncio.open_connection(address, port, local_addr=(self.source, 0))
        self._writers.add(connection[1])
        self.forwarded.append(f"{host}:{port}")
        return connection

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        self.connections += 1
        try:
            await self.handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            # Closing both ends of every connection ends its handler, as a proxy that
            # shuts down would: no task is cancelled under asyncio's feet.
            for writer in self._writers:
                writer.close()
            await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 10)
            await self._server.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    server: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    try:
        await asyncio.gather(_pipe(client[0], server[1]), _pipe(server[0], client[1]))
    finally:
        server[1].close()


@dataclass
class HttpProxy(_Proxy):
    """Every forwarded request goes out with `Connection: close`, and the client's
    connection closes after it, so one proxy connection never mixes two targets."""

    # The Proxy-Authorization header of each request, as received.
    authorizations: list[str | None] = field(default_factory=list)

    def _authorized(self, headers: dict[str, str]) -> bool:
        given = headers.get("proxy-authorization")
        self.authorizations.append(given)
        if self.user is None:
            return True
        token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
        return given == f"Basic {token}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > _HEAD_LIMIT:
            return
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ")
        headers = {}
        for line in lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if not self._authorized(headers):
            self.refused += 1
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                b"Connection: close\r\n\r\n"
            )
            await writer.drain()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            server = await self.connect_or_refuse(host.strip("[]"), int(port), writer, _BAD_GATEWAY)
            if server is None:
                return
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), server)
            return
        if not target.startswith("http://"):
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        authority, _, path = target.removeprefix("http://").partition("/")
        host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "80")
        server = await self.connect_or_refuse(host.strip("[]"), int(port), writer, _BAD_GATEWAY)
        if server is None:
            return
        kept = [
            line
            for line in lines
            if line
            and line.split(":", 1)[0].strip().lower()
            not in ("proxy-authorization", "proxy-connection", "connection", "keep-alive")
        ]
        forwarded = [f"{method} /{path} {version}", *kept, "Connection: close", "", ""]
        server[1].write("\r\n".join(forwarded).encode("latin-1"))
        await server[1].drain()
        try:
            await _pipe(server[0], writer)
        finally:
            server[1].close()


@dataclass
class Socks5Proxy(_Proxy):
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if version != 5:
            return
        wanted = 0x02 if self.user is not None else 0x00
        if wanted not in methods:
            self.refused += 1
            writer.write(b"\x05\xff")
            await writer.drain()
            return
        writer.write(bytes([5, wanted]))
        if wanted == 0x02:
            _, user_length = await reader.readexactly(2)
            user = (await reader.readexactly(user_length)).decode()
            (password_length,) = await reader.readexactly(1)
            password = (await reader.readexactly(password_length)).decode()
            if (user, password) != (self.user, self.password):
                self.refused += 1
                writer.write(b"\x01\x01")
                await writer.drain()
                return
            writer.write(b"\x01\x00")
        await writer.drain()
        _, command, _, address_type = await reader.readexactly(4)
        if address_type == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif address_type == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        elif address_type == 3:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode("idna")
        else:
            return
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:  # CONNECT only
            writer.write(b"\x05\x07\x00\x01" + bytes(6))
            await writer.drain()
            return
        # 0x04: host unreachable.
        server = await self.connect_or_refuse(host, port, writer, b"\x05\x04\x00\x01" + bytes(6))
        if server is None:
            return
        bound_host, bound_port = server[1].get_extra_info("sockname")[:2]
        writer.write(
            b"\x05\x00\x00\x01"
            + ipaddress.IPv4Address(bound_host).packed
            + struct.pack("!H", bound_port)
        )
        await writer.drain()
        await _splice((reader, writer), server)


P = TypeVar("P", bound=_Proxy)


@asynccontextmanager
async def running_proxy(proxy: P) -> AsyncIterator[P]:
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
