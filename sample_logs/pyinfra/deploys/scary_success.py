# Succeeds, but prints alarming words; one failing op has _ignore_errors=True.
# Used by ../generate.sh; run against @local only.
from pyinfra.operations import files, server

files.directory(
    name="Ensure scratch directory exists",
    path="scratch",
)

server.shell(
    name="Print alarming but harmless text",
    commands=[
        "echo 'ERROR: this is only a drill, nothing failed'",
        "echo 'Traceback (most recent call last):' >&2",
        "echo 'FATAL: 0 problems found'",
    ],
)

server.shell(
    name="Run a failing command whose errors are ignored",
    commands=["false"],
    _ignore_errors=True,
)

files.file(
    name="Touch a marker file",
    path="scratch/marker",
    touch=True,
)
