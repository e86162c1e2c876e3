# A top-level operation fails (no python.call).
# Used by ../generate.sh; run against @local only.
from pyinfra.operations import server

server.shell(
    name="Run a command that fails",
    commands=["false"],
)
