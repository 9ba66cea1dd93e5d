#!/usr/bin/env python3
# A TCP proxy that cuts HTTP requests, for bench/openrosa_central.sh: for
# each request (a chunk from the client that starts with a method), with
# probability P, either the request is cut part way (the server never gets it
# whole) or the connection is cut when the server's reply starts (the server
# handled it, the client never hears). Prints its counts every 5 s.
# Usage: cutting_proxy.py LISTEN_PORT TARGET_PORT P SEED
import random, socket, sys, threading, time
listen_port, target_port, p, seed = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
lock = threading.Lock()
stats = {"connections": 0, "requests": 0, "cut_request": 0, "cut_reply": 0}
METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ")

def close(*socks):
    for s in socks:
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
        try: s.close()
        except OSError: pass

def handle(client):
    server = socket.create_connection(("127.0.0.1", target_port))
    state = {"cut_next_reply": False}
    with lock: stats["connections"] += 1
    def up():
        budget = None
        try:
            while True:
                data = client.recv(65536)
                if not data: break
                if data.startswith(METHODS):
                    with lock:
                        stats["requests"] += 1
                        r = rng.random()
                        budget = rng.randint(100, 3000) if r < p / 2 else None
                        state["cut_next_reply"] = p / 2 <= r < p
                if budget is not None:
                    if len(data) >= budget:
                        server.sendall(data[:budget])
                        with lock: stats["cut_request"] += 1
                        break
                    budget -= len(data)
                server.sendall(data)
        except OSError: pass
        close(client, server)
    def down():
        try:
            while True:
                data = server.recv(65536)
                if not data: break
                if state["cut_next_reply"]:
                    with lock: stats["cut_reply"] += 1
                    break
                client.sendall(data)
        except OSError: pass
        close(client, server)
    threading.Thread(target=up, daemon=True).start()
    threading.Thread(target=down, daemon=True).start()

def report():
    while True:
        time.sleep(5)
        with lock: print(dict(stats), flush=True)

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port))
srv.listen(64)
threading.Thread(target=report, daemon=True).start()
while True:
    c, _ = srv.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
