"""What the outbox remembers of each card copy: a redraw equal to the last one is known, a failed one forgotten."""

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from jobs.card_copies import CardCopies, drawing
from storage.outbox import Outgoing


def keys(label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=label, callback_data="rv:c:1")]])


def test_the_same_text_and_buttons_are_the_same_drawing_and_either_changing_is_not() -> None:
    assert drawing("card", keys("领取")) == drawing("card", keys("领取"))
    assert drawing("card", keys("领取")) != drawing("card", keys("退回队列"))
    assert drawing("card", None) != drawing("card ", None)


def test_a_copy_shows_what_was_last_drawn_on_it_until_a_redraw_fails() -> None:
    copies = CardCopies()
    first, second = drawing("a", None), drawing("b", None)
    assert not copies.shows(-100, 7, first)  # never drawn here: unknown, so it is sent
    copies.drew(-100, 7, first)
    assert copies.shows(-100, 7, first) and not copies.shows(-100, 8, first)
    copies.drew(-100, 7, second)
    assert not copies.shows(-100, 7, first)
    copies.failed(Outgoing(-100, kind="edit_card", request_id=1, edit_message_id=7))
    assert not copies.shows(-100, 7, second)  # the failed redraw may or may not be on screen


def test_only_the_most_recently_drawn_copies_are_remembered() -> None:
    copies = CardCopies(limit=2)
    for message in (1, 2, 3):
        copies.drew(-100, message, drawing(str(message), None))
    copies.drew(-100, 2, drawing("2", None))
    copies.drew(-100, 4, drawing("4", None))
    assert [copies.shows(-100, m, drawing(str(m), None)) for m in (1, 2, 3, 4)] == [False, True, False, True]
