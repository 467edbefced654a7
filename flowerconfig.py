"""Flower's configuration file, read by `celery -A budget_system flower` from this directory.

Flower serves its pages to anyone when no login is configured. The task monitor shows every
task's arguments and results and can revoke tasks, so refuse to start instead: a forgotten
FLOWER_BASIC_AUTH stops Flower with a message rather than leaving it open.
"""

from tornado.options import options

# By now Flower has applied the environment (FLOWER_*) and the command line (--basic-auth, --auth).
# An empty FLOWER_BASIC_AUTH arrives as [""]: no login either.
if not any(options.basic_auth or []) and not options.auth:
    raise SystemExit(
        "Flower needs a login: set FLOWER_BASIC_AUTH=user:password in the environment or in .env "
        "(./start.sh generates one)."
    )
