from tests.bot.conftest import Harness


async def test_start_in_chinese_and_english(harness: Harness) -> None:
    await harness.applicant.send("/start")
    await harness.applicant.expect("欢迎使用")
    await harness.applicant_en.send("/start")
    await harness.applicant_en.expect("Welcome to the Green Channel")
