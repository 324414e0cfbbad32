"""Serve an already built production frontend plus the backend on one address, without compiling.

This is what `reflex run --env prod` does after its compile and `vite build` steps
(`reflex/reflex.py:_run_prod`): the backend in production mode (Granian; with Redis
configured, several worker processes, `GRANIAN_WORKERS` overrides the count) with the
compiled frontend in `.web/build/client` mounted on the same port. `scripts/multihost.sh`
builds the frontend once (`reflex export --frontend-only --no-zip --env prod`) and starts
this in every app host, so hosts never rebuild `.web` under each other.

    python deploy/serve_built.py HOST PORT
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    if not (Path.cwd() / ".web" / "build" / "client" / "index.html").exists():
        sys.exit("serve_built: no production build in .web/build/client "
                 "(run `reflex export --frontend-only --no-zip --env prod`)")
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    config = get_config()
    config._set_persistent(frontend_port=port, backend_port=port)  # as _run_prod does

    from reflex.utils import exec as reflex_exec

    reflex_exec.run_backend_prod(host, port, config.loglevel.subprocess_level(), mount_frontend_compiled_app=True)


if __name__ == "__main__":
    main()
