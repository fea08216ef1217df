"""Discord `/ask` date and outlet options, and the admin-only `/add url:`."""

from __future__ import annotations

from datetime import date
from typing import Any

from index.query.answer import Answer, Source
from index.settings import Settings
from tests.news_server import NewsSite
from tests.test_discord_bot import make_bot  # noqa: F401  (the dpytest bot fixture)


class SlashCall:
    """The part of discord.Interaction a slash command callback uses, recording replies."""

    def __init__(self, user_id: int, manage_guild: bool = False) -> None:
        perms = type("Perms", (), {"manage_guild": manage_guild})()
        self.user = type("Member", (), {"id": user_id, "guild_permissions": perms})()
        self.channel = None
        self.channel_id = 0
        self.sent: list[tuple[str, bool]] = []
        self.embeds: list[Any] = []
        self.response = self.followup = self

    async def defer(self, **_: Any) -> None:
        pass

    async def send_message(self, content: str = "", ephemeral: bool = False, **_: Any) -> None:
        self.sent.append((content, ephemeral))

    async def send(self, content: str = "", embeds: list[Any] | None = None, **_: Any) -> None:
        self.sent.append((content, False))
        self.embeds.extend(embeds or [])


class RecordingEngine:
    def __init__(self) -> None:
        self.scopes: list[Any] = []

    def newest_published(self) -> date:
        return date(2024, 3, 14)

    def ask(self, question: str, conversation: Any = None, scope: Any = None) -> Answer:
        self.scopes.append(scope)
        source = Source(n=1, source="a.md", title="Bridge", url="", score=1.0, text="A passage.",
                        published="2024-03-14", outlet="Harbour Herald")  # fmt: skip
        return Answer(
            question=question, text="Yes [1].", sources=[source], abstained=False, mode="extractive"
        )


async def test_ask_options_become_a_scope(make_bot: Any, settings: Settings) -> None:  # noqa: F811
    engine = RecordingEngine()
    bot = await make_bot(settings, engine)
    cog = bot.get_cog("AskCog")
    call = SlashCall(1)
    await cog.ask.callback(
        cog, call, "what was decided?", since="last week", until=None, outlet="harbour herald"
    )
    scope = engine.scopes[-1]
    assert (scope.since, scope.until, scope.outlet) == (date(2024, 3, 7), None, "harbour herald")
    assert call.embeds  # answered
    await cog.ask.callback(cog, call, "what was decided?")
    assert engine.scopes[-1] is None  # no options: the engine reads the question alone
    bad = SlashCall(1)
    await cog.ask.callback(cog, bad, "what?", since="someday soon")
    assert bad.sent[-1][0].startswith("Sorry: 'someday soon' is not a date")


async def test_add_is_for_admins_and_fetches(make_bot: Any, settings: Settings, onnx_model: Any) -> None:  # noqa: F811
    from index.query.engine import Engine

    settings = settings.replace(fetch_timeout=2.0)
    engine = Engine(settings, embed_model=onnx_model)
    bot = await make_bot(settings, engine)
    cog = bot.get_cog("AskCog")
    with NewsSite() as site:
        stranger = SlashCall(5, manage_guild=False)
        await cog.add.callback(cog, stranger, url=site.url("/news/bridge-vote"))
        assert stranger.sent == [("Only members with Manage Server can add articles.", True)]
        assert site.requests["/news/bridge-vote"] == 0
        admin = SlashCall(6, manage_guild=True)
        await cog.add.callback(cog, admin, url=site.url("/news/bridge-vote"))
    assert admin.sent[-1][0].startswith("1 saved, 0 already in the corpus, 0 failed")
    answer = engine.ask("What did the council vote on the harbour bridge?")  # the new article answers
    assert not answer.abstained
    assert (answer.sources[0].title, answer.sources[0].outlet) == (
        "Council approves harbour bridge",
        "Harbour Herald",
    )
