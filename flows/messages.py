"""The one line a run-stopping error becomes, wherever it is shown: the CLI's stderr or a flow run's state.

No Prefect import here: the CLI uses it for `--runner local` runs, which must work without Prefect.
"""

from pipeline.errors import FtprepError


def error_line(error: FtprepError) -> str:
    """`ftprep: error: ` and the error's own message, which names the file or field and the fix."""
    return f"ftprep: error: {error}"
