"""The one error type whose message is shown to the user as it is."""


class DatelineError(Exception):
    """A problem the user can fix; the message says what was wrong and where.

    The CLI turns it into a one-line error and a non-zero exit; the web app into the JSON
    error shape with ``status`` as the HTTP status. ``detail`` is what only the operator should
    read, such as a file's absolute path: the CLI and the server log show it (``str(e)`` is
    the message followed by it), HTTP responses show ``message`` alone.
    """

    def __init__(self, message: str, *, code: str = "bad_request", status: int = 400,
                 detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message
