"""Errors a use case raises; their message is fit to show a user as it is."""


def sentence(text: str) -> str:
    """``text`` as one sentence: capitalized, ending in exactly one full stop."""
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


class ServiceError(Exception):
    """Base class: the use case changed nothing."""


class InvalidInput(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    pass


class Unavailable(ServiceError):
    """Something the use case needs (e.g. Stripe) did not answer; trying again later is safe."""


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "You do not have access to this."):
        super().__init__(message)


class AuthenticationFailed(ServiceError):
    pass


class SignInThrottled(AuthenticationFailed):
    def __init__(self, message: str, retry_after_seconds: int):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
