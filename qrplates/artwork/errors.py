"""The one error the artwork generator raises: a plate it refuses to draw, and why."""


class ArtworkError(ValueError):
    """Raised with a translated message a member of staff can act on (a larger QR, a shorter
    name, another template); the message is shown as it is in the admin and the command line."""
