"""How a run-stopping error ends a flow run: a Failed state whose message is the CLI's one line.

A flow that raises ends Failed with Prefect's "Flow run encountered an exception: ..." and a
traceback from the flow's own code in its logs; returning this state instead gives the UI,
`prefect flow-run inspect` and the run's logs (which `prefect deployment run --watch` prints when the
server streams logs) the same line `ftprep` prints locally. The error travels as the state's data, so
a direct call of the flow (the CLI's `prepare_with_prefect`) still raises it and keeps its exit code.
(A deployed run's engine process still logs a traceback of its own after the line: Prefect 3.9.1's
run_flow does so for every Failed run.)
"""

from prefect import get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Failed

from flows.messages import error_line
from pipeline.errors import FtprepError


def failed_with(error: FtprepError) -> State:
    """The Failed state of a run stopped by this error: the CLI's line as its message."""
    return failed(error_line(error), error)


def failed(message: str, error: Exception) -> State:
    """A Failed state with this message, logged at ERROR level first so a watching CLI shows it too."""
    get_run_logger().error(message)
    return Failed(message=message, data=error)
