"""Container health check: GET /health/ on this container, exit 0 when it answers 200.

Usage: python deploy/healthcheck.py [PORT]   (default 8000, the web process; asgi uses 8001)

Sends a Host header the app accepts (the first ALLOWED_HOSTS entry) and X-Forwarded-Proto: https,
as the proxy would. Stdlib only: the image has no curl.
"""

import http.client
import os
import sys


def main() -> int:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = (hosts[0] if hosts else "localhost").lstrip(".")
    if host == "*":
        host = "localhost"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    try:
        connection.request("GET", "/health/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = connection.getresponse().status
    except OSError as error:
        sys.stderr.write(f"health check: {error}\n")
        return 1
    finally:
        connection.close()
    if status != 200:
        sys.stderr.write(f"health check: HTTP {status}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
