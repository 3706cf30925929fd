# Minimal HTTP/1.1 server on 127.0.0.1:PORT that answers every request after DELAY seconds (asyncio: one thread).
import asyncio, sys
PORT, DELAY = int(sys.argv[1]), float(sys.argv[2])
BODY = b'{"ok":true}\n'
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(DELAY)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT, backlog=4096)
    async with server: await server.serve_forever()
asyncio.run(main())
