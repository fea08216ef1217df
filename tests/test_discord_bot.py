"""The bot in-process with dpytest, built by `create_bot()` as `newsdesk discord` builds it."""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend, factories

from bot.discord_bot import RateLimiter, can_reindex, create_bot, record_feedback
from index.query.answer import Answer, Source
from index.query.engine import Engine
from index.settings import Settings


async def _start_thread_with_message(
    self: Any, channel_id: int, message_id: int, *, name: str, **_: Any
) -> dict[str, Any]:
    """dpytest has no threads; this gives its fake HTTP the one call the bot needs."""
    channel = self.state.get_channel(channel_id)
    data = {
        "id": factories.make_id(),
        "guild_id": channel.guild.id,
        "parent_id": channel_id,
        "owner_id": self.state.user.id,
        "name": name,
        "type": 11,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 60,
            "locked": False,
            "archive_timestamp": datetime.datetime.now(datetime.UTC).isoformat(),
        },
    }
    channel.guild._add_thread(discord.Thread(guild=channel.guild, state=self.state, data=data))
    return data


@pytest.fixture
async def make_bot(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Callable[..., Any]]:
    monkeypatch.setattr(
        backend.FakeHttp, "start_thread_with_message", _start_thread_with_message, raising=False
    )

    async def make(settings: Settings, engine: Any) -> Any:
        bot = create_bot(settings, engine)
        # dpytest needs member caching to resolve mentions; the real bot doesn't ask for it.
        bot._connection._intents = discord.Intents.all()
        bot._connection.member_cache_flags = discord.MemberCacheFlags.all()
        dpytest.configure(bot, members=2)
        await bot._async_setup_hook()
        await bot.setup_hook()
        return bot

    yield make
    await dpytest.empty_queue()


def _thread_messages(bot: Any) -> list[discord.Message]:
    out = []
    while not dpytest.sent_queue.empty():
        out.append(dpytest.get_message())
    return out


class ScriptedEngine:
    """Stands in for the engine where a test needs control of the answer or its timing."""

    def __init__(self, text: str = "Answer text [1].", delay: float = 0.0, fail: bool = False) -> None:
        self.text, self.delay, self.fail = text, delay, fail
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def ask(self, question: str, conversation: Any = None) -> Answer:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.delay)  # blocking, like embedding or an LLM call
            if self.fail:
                raise RuntimeError("engine exploded")
            source = Source(
                n=1,
                source="a.txt",
                title="Headline",
                url="https://example.org/a",
                score=1.0,
                text="A passage.",
            )
            return Answer(
                question=question, text=self.text, sources=[source], abstained=False, mode="extractive"
            )
        finally:
            with self._lock:
                self.active -= 1


async def _mentioned(make_bot: Any, settings: Settings, model: Any, question: str) -> tuple[Any, Any, Any]:
    """(bot, reply, the view under the reply): a question @mentioned with the real engine."""
    bot = await make_bot(settings, Engine(settings, embed_model=model))
    await dpytest.message(f"<@{bot.user.id}> {question}")
    reply = dpytest.get_message()
    return bot, reply, bot._connection._view_store._synced_message_views.get(reply.id)


async def test_mention_gets_cited_answer_in_a_thread_and_follow_up_keeps_context(
    make_bot: Any, built_index: Settings, onnx_model: Any
) -> None:
    bot, reply, view = await _mentioned(
        make_bot, built_index, onnx_model, "Which gas pipeline did Chancellor Scholz say could be halted?"
    )
    assert isinstance(reply.channel, discord.Thread)
    embed = reply.embeds[0]
    assert "Nordstream" in embed.description or "Northstream" in embed.description
    assert "[1]" in embed.description
    assert embed.fields and embed.fields[0].name.startswith("[1] ")
    from bot.discord_bot import AnswerView

    assert isinstance(view, AnswerView)  # what the reply carries
    assert [c.label or str(c.emoji) for c in view.children] == ["Show sources", "More", "👍", "👎"]

    await dpytest.message("which stage of construction is it in?", channel=reply.channel)
    follow = dpytest.get_message()
    assert follow.channel == reply.channel
    assert "final stage" in follow.embeds[0].description


async def test_everyone_in_an_answer_pings_no_one(
    make_bot: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = create_bot(settings, ScriptedEngine())
    assert built.allowed_mentions is not None
    assert built.allowed_mentions.to_dict() == {"parse": []}  # the default for everything it sends

    payloads: list[dict[str, Any]] = []
    original = backend.FakeHttp.send_message

    async def spy(self: Any, channel_id: int, *, params: Any) -> Any:
        payloads.append(params.payload)
        channel = backend._get_higher_locs(1).get("channel")  # noqa: F841 (dpytest reads it from this frame)
        return await original(self, channel_id, params=params)

    bot = await make_bot(settings, ScriptedEngine(text="Quoted: @everyone look here <@1234> [1]."))
    monkeypatch.setattr(backend.FakeHttp, "send_message", spy)
    await dpytest.message(f"<@{bot.user.id}> what did they post?")
    reply = dpytest.get_message()
    assert not reply.mention_everyone and not reply.mentions and not reply.role_mentions
    assert "@everyone" not in reply.embeds[0].description
    assert payloads and all(p["allowed_mentions"] == {"parse": []} for p in payloads)


async def test_rate_limit_is_polite(make_bot: Any, make_settings: Callable[..., Settings]) -> None:
    bot = await make_bot(make_settings(discord_rate_limit=2), ScriptedEngine())
    for _ in range(2):
        await dpytest.message(f"<@{bot.user.id}> question?")
        assert dpytest.get_message().embeds
    await dpytest.message(f"<@{bot.user.id}> one more?")
    refusal = dpytest.get_message()
    assert refusal.content.startswith("You're asking faster than I can keep up (2 questions per 60 s)")


async def test_other_bots_and_unmentioned_messages_are_ignored(make_bot: Any, settings: Settings) -> None:
    engine = ScriptedEngine()
    bot = await make_bot(settings, engine)
    await dpytest.message("just chatting, no mention")
    assert dpytest.sent_queue.empty()
    assert bot.user.bot  # the bot's own messages are bot messages, skipped by the listener


async def test_engine_failure_becomes_an_apology(make_bot: Any, settings: Settings) -> None:
    bot = await make_bot(settings, ScriptedEngine(fail=True))
    await dpytest.message(f"<@{bot.user.id}> explode?")
    assert dpytest.get_message().content.startswith("Sorry, something went wrong while answering")


async def test_slow_engine_does_not_block_the_loop_and_20_questions_all_answer(
    make_bot: Any, make_settings: Any
) -> None:
    engine = ScriptedEngine(delay=0.3)
    bot = await make_bot(make_settings(discord_concurrency=4), engine)
    cog = bot.get_cog("AskCog")
    gaps: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.02)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = asyncio.create_task(heartbeat())
    answers = await asyncio.gather(*(cog.answer(f"question {i}?", None) for i in range(20)))
    stop.set()
    await beat
    assert len(answers) == 20 and all(a.text for a in answers)
    assert engine.max_active == 4  # bounded by DISCORD_CONCURRENCY
    assert max(gaps) < 0.2  # the loop kept ticking while 20 blocking answers ran


def test_reindex_permission() -> None:
    class Perms:
        def __init__(self, manage: bool) -> None:
            self.manage_guild = manage

    class Member:
        def __init__(self, uid: int, manage: bool) -> None:
            self.id, self.guild_permissions = uid, Perms(manage)

    assert can_reindex(Member(1, True), []) is True  # type: ignore[arg-type]
    assert can_reindex(Member(2, False), []) is False  # type: ignore[arg-type]
    assert can_reindex(Member(3, False), [3]) is True  # type: ignore[arg-type]


async def test_reindex_runs_in_background_and_reloads(
    make_bot: Any, settings: Settings, corpus: Path, onnx_model: Any
) -> None:
    engine = Engine(settings, embed_model=onnx_model)
    bot = await make_bot(settings, engine)
    cog = bot.get_cog("AskCog")
    summary = await cog.run_reindex()
    assert summary.startswith("Re-index done: 5 added")
    assert not engine.ask("Who is the Russian Foreign Minister that Blinken met?").abstained


def test_rate_limiter_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 60, clock=lambda: now[0])
    assert limiter.allow(1) and limiter.allow(1) and not limiter.allow(1)
    assert limiter.allow(2)
    now[0] = 61
    assert limiter.allow(1)


def test_feedback_is_recorded(settings: Settings) -> None:
    answer = Answer(
        question="q?",
        text="a [1].",
        sources=[Source(n=1, source="a.txt", title="T", url="", score=1, text="t", chunk_id="a#1#0")],
        abstained=False,
        mode="extractive",
    )
    record_feedback(settings, answer, "up", 42)
    record_feedback(settings, answer, "down", 43)
    rows = [json.loads(x) for x in (settings.index_dir / "feedback.jsonl").read_text().splitlines()]
    assert [(r["vote"], r["user"], r["question"]) for r in rows] == [("up", 42, "q?"), ("down", 43, "q?")]
    assert rows[0]["sources"] == [{"n": 1, "source": "a.txt", "chunk_id": "a#1#0"}]


class Clicker:
    """dpytest cannot click buttons or run slash commands: the part of discord.Interaction
    that the bot's callbacks use, recording what they send."""

    def __init__(self, user_id: int, channel_id: int = 0) -> None:
        self.user = type("User", (), {"id": user_id})()
        self.channel_id = channel_id
        self.channel = None
        self.sent: list[tuple[str, bool]] = []
        self.posted: list[dict[str, Any]] = []  # what else each message carried (embeds, view)
        self.deferred = False
        self.response = self.followup = self
        self.send = self.send_message

    async def send_message(self, content: str = "", ephemeral: bool = False, **rest: Any) -> None:
        self.sent.append((content, ephemeral))
        self.posted.append(rest)

    async def defer(self, **_: Any) -> None:
        self.deferred = True


async def test_sources_are_for_the_asker_and_each_member_votes_once(
    make_bot: Any, settings: Settings
) -> None:
    from bot.discord_bot import ASKER_ONLY, AnswerView

    bot = await make_bot(settings, ScriptedEngine())
    asker, other = dpytest.get_config().members[:2]
    await dpytest.message(f"<@{bot.user.id}> what happened?", member=asker)
    reply = dpytest.get_message()
    cog = bot.get_cog("AskCog")
    answer, asker_id = cog.last_answers[reply.channel.id]
    assert asker_id == asker.id
    view = AnswerView(cog, answer, asker_id)  # what send_answer attached to the reply

    someone = Clicker(other.id)
    await view.show_sources.callback(someone)
    assert someone.sent == [(ASKER_ONLY, True)]
    owner = Clicker(asker.id)
    await view.show_sources.callback(owner)
    assert owner.sent and owner.sent[0][1] and "A passage." in owner.sent[0][0]

    slash = Clicker(other.id, channel_id=reply.channel.id)
    await cog.sources.callback(cog, slash)
    assert slash.sent == [(ASKER_ONLY, True)]

    for user, vote in ((other, view.thumbs_up), (other, view.thumbs_down), (asker, view.thumbs_down)):
        click = Clicker(user.id)
        await vote.callback(click)
    assert click.sent == [("Thanks for the feedback.", True)]
    again = Clicker(other.id)
    await view.thumbs_up.callback(again)
    assert again.sent == [("You already voted on this answer.", True)]
    rows = [json.loads(x) for x in (settings.index_dir / "feedback.jsonl").read_text().splitlines()]
    assert [(r["user"], r["vote"]) for r in rows] == [(other.id, "up"), (asker.id, "down")]


def test_feedback_file_is_capped(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.discord_bot as discord_bot

    monkeypatch.setattr(discord_bot, "FEEDBACK_MAX_BYTES", 10_000)
    answer = Answer(question="q?", text="long answer " * 2000, sources=[], abstained=False, mode="llm")
    for user in range(200):
        record_feedback(settings, answer, "up", user)
    current = settings.index_dir / "feedback.jsonl"
    rotated = settings.index_dir / "feedback.jsonl.1"
    assert current.stat().st_size <= 10_000 and rotated.stat().st_size <= 10_000
    assert sorted(p.name for p in settings.index_dir.iterdir()) == ["feedback.jsonl", "feedback.jsonl.1"]
    last = json.loads(current.read_text().splitlines()[-1])
    assert last["user"] == 199 and len(last["answer"]) == 4000  # each row is bounded too


async def test_more_goes_on_with_what_the_thread_has_not_quoted(
    make_bot: Any, built_index: Settings, onnx_model: Any
) -> None:
    from bot.discord_bot import MOVED_ON, AnswerView, MovedOn

    bot, reply, first = await _mentioned(
        make_bot, built_index, onnx_model, "What did Blinken and Lavrov discuss in Geneva?"
    )
    assert isinstance(first, AnswerView) and first.conversation is not None
    quoted = set(first.answer.quotes)
    member = dpytest.get_config().members[1]  # anyone in the thread, not only the asker
    answers = [first.answer]
    view = first
    while True:
        click = Clicker(member.id, channel_id=reply.channel.id)
        await view.more.callback(click)
        assert click.deferred and len(click.posted) >= 1
        more = bot.get_cog("AskCog").last_answers[reply.channel.id][0]
        answers.append(more)
        next_view = click.posted[-1]["view"]
        if more.abstained:
            assert more.text == "There is nothing more on that in the articles."
            assert "More" not in [c.label for c in next_view.children]
            break
        embed = click.posted[0]["embeds"][0]
        assert "[1]" in embed.description and embed.fields[0].name.startswith("[1] ")
        assert not quoted & set(more.quotes)  # nothing quoted twice
        quoted |= set(more.quotes)
        assert [c.label or str(c.emoji) for c in next_view.children] == ["Show sources", "More", "👍", "👎"]
        view = next_view
        assert len(answers) < 12
    assert len(answers) >= 3  # the seed articles have more than one answer's worth on this
    # the one who asked stays the asker, whoever clicked More
    assert bot.get_cog("AskCog").last_answers[reply.channel.id][1] == first.asker_id != member.id
    late = Clicker(member.id)
    await first.more.callback(late)  # an older answer's More: the thread has moved on
    assert late.sent == [(MOVED_ON, True)] and not late.deferred
    # and when the thread moves on while a click waits its turn, it is told so then
    cog = bot.get_cog("AskCog")
    with pytest.raises(MovedOn):
        await cog.answer("tell me more", first.conversation, after=first.answer)
    # A question typed in the thread afterwards is answered as ever
    await dpytest.message(
        "Which gas pipeline did Chancellor Scholz say could be halted?", channel=reply.channel
    )
    assert "stream" in dpytest.get_message().embeds[0].description.lower()


def _strike(published: str, body: str) -> str:
    return f"---\ntitle: Rotterdam port strike\npublished: {published}\n---\n{body}\n"


STRIKE = {
    "strike-1987.md": _strike(
        "1987-06-12",
        "Dock workers in Rotterdam ended their strike after accepting a new pay deal on Friday. "
        "The strike had closed the port's grain terminals for three weeks. "
        "Union leaders said the pay deal runs for two years.",
    ),
    "strike-1986.md": _strike(
        "1986-05-02",
        "Dock workers in Rotterdam began a strike over pay at the port on Friday. "
        "Port employers said the strike would cost shippers millions of guilders.",
    ),
}


async def test_a_slash_answer_has_more_within_its_dates(make_bot: Any, engine_over: Any) -> None:
    """/ask's answer has its own conversation for More, and More keeps the dates asked for."""
    engine = engine_over(STRIKE)
    bot = await make_bot(engine.settings, engine)
    cog = bot.get_cog("AskCog")
    asker = dpytest.get_config().members[0]
    channel_id = dpytest.get_config().channels[0].id
    slash = Clicker(asker.id, channel_id=channel_id)
    await cog.ask.callback(cog, slash, "What did the Rotterdam dock workers strike over?", since="1987-01-01")
    view = slash.posted[-1]["view"]
    assert not view.answer.abstained and [s.source for s in view.answer.sources] == ["strike-1987.md"]
    assert "More" in [c.label for c in view.children]
    while not view.answer.abstained:  # every More stays within 1987
        click = Clicker(asker.id, channel_id=channel_id)
        await view.more.callback(click)
        view = click.posted[-1]["view"]
        assert {s.source for s in view.answer.sources} <= {"strike-1987.md"}
    assert view.answer.text == "There is nothing more on that in the articles."
    assert "More" not in [c.label for c in view.children]


class ExpiredClicker(Clicker):
    async def defer(self, **_: Any) -> None:
        raise discord.DiscordException("Unknown interaction")  # clicked after Discord's 3 s


async def test_a_more_click_that_fails_can_be_clicked_again_and_llm_answers_have_none(
    make_bot: Any, built_index: Settings, make_settings: Callable[..., Settings], onnx_model: Any
) -> None:
    bot, reply, view = await _mentioned(
        make_bot, built_index, onnx_model, "What did Blinken and Lavrov discuss in Geneva?"
    )
    member = dpytest.get_config().members[1]
    await view.more.callback(ExpiredClicker(member.id, channel_id=reply.channel.id))
    again = Clicker(member.id, channel_id=reply.channel.id)
    await view.more.callback(again)
    assert again.deferred and not again.posted[-1]["view"].answer.abstained

    from bot.discord_bot import AnswerView

    llm_cog = (await make_bot(make_settings(llm_mode="llm"), ScriptedEngine())).get_cog("AskCog")
    answered = AnswerView(llm_cog, view.answer, 1, view.conversation)
    assert [c.label or str(c.emoji) for c in answered.children] == ["Show sources", "👍", "👎"]
