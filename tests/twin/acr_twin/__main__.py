"""``python -m acr_twin --port PORT --fixture seed``: serve the twin until interrupted."""

import argparse
import signal
import sys

from acr_twin.server import TwinServer
from acr_twin.twin import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Twin


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m acr_twin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free port, printed)")
    parser.add_argument("--fixture", default="seed", help="'seed' or the path of a YAML/JSON fixture file")
    parser.add_argument("--access-key-id", default=DEFAULT_ACCESS_KEY_ID)
    parser.add_argument("--access-key-secret", default=DEFAULT_ACCESS_KEY_SECRET)
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiplies every asynchronous delay; 0 = instant")
    parser.add_argument("--faults", default=None, help="e.g. seed=7,throttle=0.05,server_error=0.02,busy=0.05,lost_response=0.01")
    args = parser.parse_args(argv)
    twin = Twin(fixture=args.fixture, time_scale=args.time_scale, faults=args.faults,
                access_key_id=args.access_key_id, access_key_secret=args.access_key_secret)
    server = TwinServer(twin, host=args.host, port=args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("acr_twin listening on %s" % server.endpoint, flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
