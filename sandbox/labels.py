"""The sandbox page's own words (what the bot says comes with its messages), from the bot's catalogue."""

from __future__ import annotations

from aiogram.utils.i18n import I18n


def _(text: str) -> str:
    """Marks a label for the catalogue (pybabel extracts ``_``); it is translated per request in ``labels``."""
    return text


LABELS = {
    "title": _("Green Channel sandbox"),
    "note": _("Sandbox: a local stand-in for Telegram. Sample data only."),
    "board": _("📣 Notice board"),
    "board_hint": _("The public notice board (公示栏), as the public sees it: read a notice, send a comment"),
    "summary": _("📊 Send daily summary now"),
    "summary_hint": _("Send the daily summary to its recipients now"),
    "people": _("Who you are"),
    "attach": _("Send a document"),
    "placeholder": _("Write a message, e.g. /submit"),
    "send": _("Send"),
    "role_applicant": _("applicant"),
    "role_reviewer": _("reviewer"),
    "role_admin": _("administrator"),
    "group_role": _("group chat (you act as {name})"),
    "chat_with": _("Chat with the bot, as {name}"),
    "edited": _("edited"),
    "empty": _("No messages yet. Try /start, /submit, /queue, /stats or /summary."),
}


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Marks a label with a count for the catalogue (pybabel extracts ``ngettext``); both forms go to the page,
    which picks one with the browser's plural rules for the language (Intl.PluralRules: "one" or "other")."""
    return singular, plural


PLURAL_LABELS = {
    "queued": ngettext(
        "Daily summary queued: {count} message to the reviewers' group and subscribers.",
        "Daily summary queued: {count} messages to the reviewers' group and subscribers.",
    ),
}


def labels(i18n: I18n, locale: str) -> dict[str, str]:
    """Every label in ``locale`` (the bureau's default if the catalogue has no such language)."""
    if locale not in i18n.available_locales:
        locale = i18n.default_locale
    words = {key: i18n.gettext(text, locale=locale) for key, text in LABELS.items()}
    for key, (singular, plural) in PLURAL_LABELS.items():
        words[f"{key}_one"] = i18n.gettext(singular, plural, 1, locale=locale)
        words[f"{key}_other"] = i18n.gettext(singular, plural, 2, locale=locale)
    return words | {"locale": locale}
