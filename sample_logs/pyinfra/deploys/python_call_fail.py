# An operation run inside a python.call callback fails (pyinfra#1050, #1190).
# Used by ../generate.sh; run against @local only.
from pyinfra.operations import python, server


def callback():
    server.shell(
        name="Run a command that fails",
        commands=["false"],
    )


python.call(
    name="Run callback",
    function=callback,
)
