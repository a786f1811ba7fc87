"""The cloud's error answers, as the twin raises them."""


class ApiError(Exception):
    """An error the cloud answers with: HTTP status, code, message.

    The server turns it into the JSON body the real APIs send
    (``RequestId``, ``HostId``, ``Code``, ``Message``, ``Recommend``).
    """

    def __init__(self, code, message, status=400, headers=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.headers = dict(headers or {})


def missing(name):
    return ApiError("MissingParameter", 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid(name, value, code=None):
    return ApiError(code or "InvalidParameter", 'The specified parameter "%s" (%r) is not valid.' % (name, value))


def not_found(code, what, ident, status=404):
    return ApiError(code, "The specified %s %s does not exist." % (what, ident), status=status)


def incorrect_status(code, what, ident, status_now):
    return ApiError(code, "The status of %s %s (%s) does not support this operation." % (what, ident, status_now))
