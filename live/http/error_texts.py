"""The one map from API error codes to what a reader is told, in their language.

Every page carries it (``data-errors`` on ``<body>``, see base.html); ``errorText`` in
``web/static/js/api.js`` picks the reader's sentence for a refusal's ``error`` code, so no page
shows a server's English ``detail``. A page's own, more precise sentence for a code (its
``error_<code>`` string) still wins. Codes missing here fall back to ``failed``."""

from __future__ import annotations

from live.http.i18n import gettext


def _(message: str) -> str:
    """Marks a msgid for extraction; it is translated when a page is rendered."""
    return message


TRY_AGAIN = _("That did not work. Please try again.")
CHECK_INPUT = _("Please check what you entered and try again.")
RELOAD = _("That step is not possible now. Reload the page to see where things stand.")

MESSAGES: dict[str, str] = {
    "failed": TRY_AGAIN,
    "network": _("No connection. Check the network and try again."),
    "internal": _("Something went wrong on our side. Please try again in a moment."),
    "http_error": TRY_AGAIN,
    "unavailable": _("The service is busy. Please try again in a moment."),
    "busy": _("The service is busy. Please try again in a moment."),
    "unauthenticated": _("Please sign in first."),
    "bad_credentials": _("Wrong username or password."),
    "too_many_attempts": _("Too many attempts. Please wait a few minutes and try again."),
    "forbidden": _("You are not allowed to do this."),
    "csrf": _("The page is out of date. Reload it and try again."),
    "not_found": _("It is no longer there. Reload the page."),
    "gone": _("This has expired."),
    "conflict": _("That already exists or was changed meanwhile. Reload the page."),
    "rate_limited": _("That was too fast. Please wait a moment and try again."),
    "too_large": _("That file is too large."),
    "too_long": _("That is too long."),
    "empty": _("Please fill this in first."),
    "missing_field": _("Something required is missing."),
    "bad_request": CHECK_INPUT,
    "invalid": CHECK_INPUT,
    "invalid_json": CHECK_INPUT,
    "bad_state": RELOAD,
    "bad_transition": RELOAD,
    "banned": _("You can no longer take part in this community. Please talk to your community committee."),
    "muted": _("You are muted for a while."),
    "chat_closed": _("The chat is closed."),
    "closed": _("This is closed."),
    "ended": _("The broadcast has ended."),
    "session_ended": _("The broadcast has ended."),
    "self": _("You cannot disable or demote yourself."),
    "bad_role": _("Choose one of the roles offered."),
    "bad_file": _("That file is not a photo or a voice recording we can use."),
    "bad_phone": _("Please enter a valid mobile number."),
    "bad_password": _("The password needs at least 8 characters."),
}


def error_texts() -> dict[str, str]:
    """Every code's sentence in the language of the page being rendered."""
    return {code: gettext(message) for code, message in MESSAGES.items()}
