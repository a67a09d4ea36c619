"""A clustering service run in a subprocess by the service-limit tests (not collected by pytest).

Prints its URL on stdout, then serves until killed. The model labels each image by the
sign of its first pixel, or raises the error named on the command line.
"""

import sys
import time

from robustfair.attacks._service import serve_clusterer


def model(X):
    if MODE == "crash":
        raise RuntimeError("the model's GPU fell over")
    return (X[:, 0] > 0).astype(int)


if __name__ == "__main__":
    MODE = sys.argv[1]
    url, stop = serve_clusterer(model, max_body_bytes=1_000_000, read_timeout=float(sys.argv[2]),
                                max_concurrent=int(sys.argv[3]), max_request_seconds=float(sys.argv[4]))
    print(url, flush=True)
    while True:
        time.sleep(60)
