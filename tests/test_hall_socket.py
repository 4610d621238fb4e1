"""The hall's listening socket (`server.listen`, bound before uvicorn serves on it) hands out
connections that send at once. asyncio turns Nagle's algorithm off only on sockets it knows to
be TCP (protocol IPPROTO_TCP); a socket made as plain (AF_INET, SOCK_STREAM) has protocol 0,
its connections kept Nagle, and every answer after the first on a kept-alive connection sent its
body only once the client acknowledged the headers: about 40 ms later (a delayed ACK), which was
most of GET /me/leave's p50 of 50-60 ms in bench/ledger.py."""

from __future__ import annotations

import asyncio
import socket

from clerkdesk.hall.server import listen


async def test_a_connection_to_the_hall_socket_sends_without_waiting_for_acks() -> None:
    sock = listen("127.0.0.1", 0)
    nodelay: list[int] = []

    def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = writer.get_extra_info("socket")
        nodelay.append(served.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accepted, sock=sock)
    try:
        port = sock.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await _reader.read()
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert nodelay and nodelay[0] != 0
    assert sock.proto == socket.IPPROTO_TCP
