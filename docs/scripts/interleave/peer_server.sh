#!/usr/bin/env bash
# Runs the eager-PyTorch peer (torch_peer.py --serve) as a timing server for interleave.py, with the
# same glibc allocator settings as smdp4j's JVMs (allocator.env), as peer_compare.sh runs it: without
# them each of the peer's passes pays for fresh pages and the comparison flatters smdp4j.
# Usage: docs/scripts/interleave/peer_server.sh CKPT   (PYTHON overrides the interpreter, default /usr/bin/python3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
set -a; . "$here/src/main/resources/dev/smdp4j/allocator.env"; set +a
exec "${PYTHON:-/usr/bin/python3}" "$here/docs/scripts/torch_peer.py" --serve --model "${1:?usage: peer_server.sh CKPT}"
