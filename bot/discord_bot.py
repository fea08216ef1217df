"""The Discord front end: `/ask`, mentions answered in threads, follow-ups, feedback, `/reindex`.

The cog stays thin: it pulls out the question, awaits the engine off the event loop
(behind a semaphore, so the gateway heartbeat never waits on embeddings or an LLM), and
renders with `bot.discord_render`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_render import (
    EmbedSpec,
    answer_messages,
    escape_markdown,
    neutralize_mentions,
    question_text,
    sources_messages,
)
from index.errors import NewsdeskError
from index.query.answer import Answer
from index.query.conversation import Conversation
from index.redact import redact_logs, redact_text
from index.settings import Settings, load_settings

log = logging.getLogger("newsdesk.discord")
FEEDBACK_FILE = "feedback.jsonl"
FEEDBACK_MAX_BYTES = 5_000_000  # then rotated to feedback.jsonl.1: at most twice this on disk
FEEDBACK_TEXT_CHARS = 4000  # of the question and the answer kept per vote
_feedback_lock = threading.Lock()
APOLOGY = "Sorry, something went wrong while answering; the error was logged. Please try again."


def to_embed(spec: EmbedSpec) -> discord.Embed:
    embed = discord.Embed(title=spec.title or None, description=spec.description or None, colour=0x2B6CB0)
    for name, value in spec.fields:
        embed.add_field(name=name, value=value, inline=False)
    if spec.footer:
        embed.set_footer(text=spec.footer)
    return embed


class RateLimiter:
    """At most `limit` questions per user in any `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Any = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[int, deque[float]] = {}

    def allow(self, user_id: int) -> bool:
        now = self.clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def retry_after(self, user_id: int) -> float:
        hits = self._hits.get(user_id)
        return max(0.0, self.window - (self.clock() - hits[0])) if hits else 0.0


class Conversations:
    """One bounded conversation per thread (or channel+user), forgotten after idle time."""

    def __init__(self, max_turns: int, idle_seconds: float, clock: Any = time.monotonic) -> None:
        self.max_turns, self.idle, self.clock = max_turns, idle_seconds, clock
        self._items: dict[str, Conversation] = {}

    def get(self, key: str, create: bool = True) -> Conversation | None:
        self._expire()
        conv = self._items.get(key)
        if conv is None and create:
            conv = self._items[key] = Conversation(self.max_turns)
        if conv is not None:
            conv.touched = self.clock()
        return conv

    def __contains__(self, key: str) -> bool:
        self._expire()
        return key in self._items

    def _expire(self) -> None:
        now = self.clock()
        for key in [k for k, c in self._items.items() if now - c.touched > self.idle]:
            del self._items[key]


def can_reindex(user: discord.abc.User, admin_ids: list[int]) -> bool:
    """Manage Server permission, or an id listed in DISCORD_ADMIN_IDS."""
    if user.id in admin_ids:
        return True
    perms = getattr(user, "guild_permissions", None)
    return bool(perms and perms.manage_guild)


def record_feedback(settings: Settings, answer: Answer, vote: str, user_id: int) -> None:
    """Append one JSON line per vote to <index_dir>/feedback.jsonl, for later evaluation.

    The file is capped: past FEEDBACK_MAX_BYTES it becomes feedback.jsonl.1 (replacing
    the previous one) and a new file starts, so votes can never fill the disk.
    """
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    row = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "user": user_id,
        "vote": vote,
        "question": answer.question[:FEEDBACK_TEXT_CHARS],
        "answer": answer.text[:FEEDBACK_TEXT_CHARS],
        "abstained": answer.abstained,
        "sources": [{"n": s.n, "source": s.source, "chunk_id": s.chunk_id} for s in answer.sources],
    }
    line = json.dumps(row, ensure_ascii=False) + "\n"
    path = settings.index_dir / FEEDBACK_FILE
    with _feedback_lock:
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size and size + len(line.encode("utf-8")) > FEEDBACK_MAX_BYTES:
            path.replace(path.with_name(FEEDBACK_FILE + ".1"))
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)


ASKER_ONLY = "Only the person who asked can open these sources; ask your own question with /ask."
MORE_REQUEST = "tell me more"  # what the More button asks in the answer's conversation
MOVED_ON = (
    "The conversation has moved on since this answer: use More under the latest one, or ask a question."
)


async def send_sources(interaction: discord.Interaction, answer: Answer) -> None:
    """The full passages, ephemeral: only the one who clicked sees them."""
    messages = sources_messages(answer)
    await interaction.response.send_message(messages[0], ephemeral=True)
    for extra in messages[1:]:
        await interaction.followup.send(extra, ephemeral=True)


class MovedOn(Exception):
    """More was clicked under an answer the conversation has gone past."""


class AnswerView(discord.ui.View):
    """Buttons under an answer: full sources (the asker only), **More** (what the answer's
    conversation has not quoted yet, as "tell me more" typed in the thread gives), one
    👍/👎 vote per member."""

    def __init__(
        self,
        cog: AskCog,
        answer: Answer,
        asker_id: int,
        conversation: Conversation | None = None,
        scope: Any = None,
    ) -> None:
        super().__init__(timeout=24 * 3600)
        self.cog, self.answer, self.asker_id = cog, answer, asker_id
        self.conversation, self.scope = conversation, scope
        self.voted: set[int] = set()
        self.more_taken = False
        if answer.abstained:
            self.remove_item(self.show_sources)
        # With an LLM, "tell me more" is the condense prompt's to rewrite, which knows no
        # quoted sentences: it may give the same answer again, so there is no button.
        if answer.abstained or conversation is None or cog.settings.llm_mode == "llm":
            self.remove_item(self.more)

    @discord.ui.button(label="Show sources", style=discord.ButtonStyle.secondary)
    async def show_sources(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        if interaction.user.id != self.asker_id:
            await interaction.response.send_message(ASKER_ONLY, ephemeral=True)
            return
        await send_sources(interaction, self.answer)

    @discord.ui.button(label="More", style=discord.ButtonStyle.secondary)
    async def more(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        """Anyone may ask for more (the thread is public), once per answer, and only under
        the conversation's latest answer: an older one's "more" would go on from the newest."""
        conversation, cog = self.conversation, self.cog
        if conversation is None:
            return
        if self.more_taken or conversation.last_answer is not self.answer:
            await interaction.response.send_message(MOVED_ON, ephemeral=True)
            return
        if not cog.limiter.allow(interaction.user.id):
            await interaction.response.send_message(cog._slow_down(interaction.user.id), ephemeral=True)
            return
        self.more_taken = True
        try:
            await interaction.response.defer(thinking=True)
            answer = await cog.answer(MORE_REQUEST, conversation, self.scope, after=self.answer)
        except MovedOn:  # a question typed meanwhile was answered first
            await interaction.followup.send(MOVED_ON, ephemeral=True)
            return
        except NewsdeskError as exc:
            self.more_taken = False
            await interaction.followup.send(
                neutralize_mentions(f"Sorry: {exc}"), allowed_mentions=discord.AllowedMentions.none()
            )
            return
        except Exception:
            self.more_taken = False  # an expired interaction too: the next click tries again
            log.exception("more of %r failed", self.answer.question)
            with contextlib.suppress(discord.HTTPException):
                await interaction.followup.send(APOLOGY, allowed_mentions=discord.AllowedMentions.none())
            return
        # The one who asked stays the asker (Show sources and /sources stay theirs).
        if interaction.channel_id is not None:
            cog.last_answers[interaction.channel_id] = (answer, self.asker_id)
        await cog.send_answer(interaction.followup.send, answer, self.asker_id, conversation, self.scope)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def thumbs_up(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._vote(interaction, "up")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def thumbs_down(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self._vote(interaction, "down")

    async def _vote(self, interaction: discord.Interaction, vote: str) -> None:
        if interaction.user.id in self.voted:
            await interaction.response.send_message("You already voted on this answer.", ephemeral=True)
            return
        self.voted.add(interaction.user.id)
        await asyncio.to_thread(record_feedback, self.cog.settings, self.answer, vote, interaction.user.id)
        await interaction.response.send_message("Thanks for the feedback.", ephemeral=True)


class AskCog(commands.Cog):
    def __init__(self, bot: commands.Bot, settings: Settings, engine: Any) -> None:
        self.bot, self.settings, self.engine = bot, settings, engine
        self.slots = asyncio.Semaphore(settings.discord_concurrency)
        self.limiter = RateLimiter(settings.discord_rate_limit, settings.discord_rate_window)
        self.conversations = Conversations(settings.history_turns, settings.discord_thread_idle_minutes * 60)
        self.last_answers: dict[int, tuple[Answer, int]] = {}  # channel/thread id -> (answer, asker id)
        self.reindexing: asyncio.Task[Any] | None = None
        self._turns: weakref.WeakKeyDictionary[Conversation, asyncio.Lock] = weakref.WeakKeyDictionary()

    # -- shared ----------------------------------------------------------------------------
    async def answer(
        self, question: str, conversation: Conversation | None, scope: Any = None, after: Answer | None = None
    ) -> Answer:
        """Run the engine in a worker thread, at most DISCORD_CONCURRENCY at once, and one
        question at a time per conversation (a typed "tell me more" and a More click at
        once would both read the same turns and quote the same sentences). after: the
        answer this one must follow (More's); `MovedOn` when another came first."""
        turn: Any = contextlib.nullcontext()
        if conversation is not None:
            turn = self._turns.setdefault(conversation, asyncio.Lock())
        async with turn, self.slots:
            if after is not None and conversation is not None and conversation.last_answer is not after:
                raise MovedOn
            if scope is None:
                return await asyncio.to_thread(self.engine.ask, question, conversation=conversation)
            return await asyncio.to_thread(self.engine.ask, question, conversation=conversation, scope=scope)

    def allowed_here(self, channel: Any) -> bool:
        if isinstance(channel, discord.DMChannel):
            return self.settings.discord_allow_dms
        ids = self.settings.discord_channel_ids
        if not ids:
            return True
        parent = getattr(channel, "parent_id", None)
        return channel.id in ids or parent in ids

    async def send_answer(
        self,
        send: Callable[..., Awaitable[Any]],
        answer: Answer,
        asker_id: int,
        conversation: Conversation | None = None,
        scope: Any = None,
    ) -> None:
        """The answer's messages through `send` (a channel's or thread's `send`, or a
        deferred interaction's `followup.send`), the buttons under the last one."""
        messages = answer_messages(answer)
        for i, embeds in enumerate(messages):
            last = i == len(messages) - 1
            await send(
                embeds=[to_embed(e) for e in embeds],
                view=AnswerView(self, answer, asker_id, conversation, scope)
                if last
                else discord.utils.MISSING,
                allowed_mentions=discord.AllowedMentions.none(),
            )

    # -- mentions and threads --------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.bot.user is None or not self.allowed_here(message.channel):
            return
        key = self._thread_key(message)
        mentioned = self.bot.user in message.mentions
        if key is None and not mentioned:
            return
        question = self._strip_mention(message.content)
        if not question:
            await message.reply(
                "Ask me a question about the articles.", allowed_mentions=discord.AllowedMentions.none()
            )
            return
        if not self.limiter.allow(message.author.id):
            await message.reply(
                self._slow_down(message.author.id), allowed_mentions=discord.AllowedMentions.none()
            )
            return
        destination: discord.abc.Messageable = message.channel
        if key is None:
            destination, key = await self._start_thread(message, question)
        conversation = self.conversations.get(key)
        try:
            async with destination.typing():
                answer = await self.answer(question, conversation)
        except NewsdeskError as exc:
            await destination.send(
                neutralize_mentions(f"Sorry: {exc}"), allowed_mentions=discord.AllowedMentions.none()
            )
            return
        except Exception:
            log.exception("answering %r failed", question)
            await destination.send(APOLOGY, allowed_mentions=discord.AllowedMentions.none())
            return
        self.last_answers[getattr(destination, "id", message.channel.id)] = (answer, message.author.id)
        await self.send_answer(destination.send, answer, message.author.id, conversation)

    def _thread_key(self, message: discord.Message) -> str | None:
        """The conversation this message continues, if any."""
        if (
            isinstance(message.channel, discord.Thread)
            and f"thread:{message.channel.id}" in self.conversations
        ):
            return f"thread:{message.channel.id}"
        if isinstance(message.channel, discord.DMChannel):
            return f"dm:{message.channel.id}"  # a DM is one conversation
        fallback = f"channel:{message.channel.id}:{message.author.id}"
        ref = message.reference
        if fallback in self.conversations and ref is not None and self.bot.user in message.mentions:
            return fallback
        return None

    async def _start_thread(self, message: discord.Message, question: str) -> tuple[Any, str]:
        """A thread from the asking message; where threads can't be made, the channel."""
        if isinstance(message.channel, discord.TextChannel):
            try:
                thread = await message.create_thread(name=_thread_name(question), auto_archive_duration=60)
                return thread, f"thread:{thread.id}"
            except (discord.HTTPException, NotImplementedError, AttributeError, TypeError):
                log.info("could not start a thread in #%s; answering in the channel", message.channel)
        return message.channel, f"channel:{message.channel.id}:{message.author.id}"

    def _strip_mention(self, content: str) -> str:
        assert self.bot.user is not None
        return question_text(content, self.bot.user.id)

    def _slow_down(self, user_id: int) -> str:
        wait = int(self.limiter.retry_after(user_id)) + 1
        return (
            f"You're asking faster than I can keep up ({self.settings.discord_rate_limit} questions per "
            f"{int(self.settings.discord_rate_window)} s). Please try again in {wait} s."
        )

    # -- slash commands ----------------------------------------------------------------------
    @app_commands.command(name="ask", description="Ask a question about the news articles")
    @app_commands.describe(
        question="What do you want to know?",
        since="Only articles published on or after this date (2022-01-21, March 2022, last week)",
        until="Only articles published on or before this date",
        outlet="Only articles from this outlet",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: str,
        since: str | None = None,
        until: str | None = None,
        outlet: str | None = None,
    ) -> None:
        if not self.allowed_here(interaction.channel):
            await interaction.response.send_message("I don't answer in this channel.", ephemeral=True)
            return
        if not self.limiter.allow(interaction.user.id):
            await interaction.response.send_message(self._slow_down(interaction.user.id), ephemeral=True)
            return
        await interaction.response.defer(thinking=True)  # Discord wants a response within 3 s
        try:
            scope = None
            if since or until or outlet is not None:
                from index.query.dates import options_scope

                newest = getattr(self.engine, "newest_published", None)
                scope = options_scope(since, until, outlet, newest=newest)
            # A conversation of its own, for the More button (a slash question carries no subject in).
            conversation = Conversation(self.settings.history_turns)
            answer = await self.answer(question, conversation, scope)
        except NewsdeskError as exc:
            await interaction.followup.send(
                neutralize_mentions(f"Sorry: {exc}"), allowed_mentions=discord.AllowedMentions.none()
            )
            return
        except Exception:
            log.exception("/ask %r failed", question)
            await interaction.followup.send(APOLOGY)
            return
        if interaction.channel_id is not None:
            self.last_answers[interaction.channel_id] = (answer, interaction.user.id)
        await self.send_answer(interaction.followup.send, answer, interaction.user.id, conversation, scope)

    @app_commands.command(name="sources", description="Show the full passages behind your last answer here")
    async def sources(self, interaction: discord.Interaction) -> None:
        last = self.last_answers.get(interaction.channel_id or 0)
        if last is None:
            await interaction.response.send_message("There is no answer here yet.", ephemeral=True)
            return
        answer, asker_id = last
        if interaction.user.id != asker_id:
            await interaction.response.send_message(ASKER_ONLY, ephemeral=True)
            return
        await send_sources(interaction, answer)

    @app_commands.command(name="reindex", description="Re-index the articles (Manage Server only)")
    async def reindex(self, interaction: discord.Interaction) -> None:
        if not can_reindex(interaction.user, self.settings.discord_admin_ids):
            await interaction.response.send_message(
                "Only members with Manage Server can re-index.", ephemeral=True
            )
            return
        if self.reindexing is not None and not self.reindexing.done():
            await interaction.response.send_message("A re-index is already running.", ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        self.reindexing = asyncio.create_task(self.run_reindex())
        summary = await self.reindexing
        await interaction.followup.send(summary, allowed_mentions=discord.AllowedMentions.none())

    @app_commands.command(
        name="add", description="Fetch an article page into the corpus and index it (Manage Server only)"
    )
    @app_commands.describe(url="The article's web address (http or https)")
    async def add(self, interaction: discord.Interaction, url: str) -> None:
        if not can_reindex(interaction.user, self.settings.discord_admin_ids):
            await interaction.response.send_message(
                "Only members with Manage Server can add articles.", ephemeral=True
            )
            return
        if self.reindexing is not None and not self.reindexing.done():
            await interaction.response.send_message("A re-index is already running.", ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        self.reindexing = asyncio.create_task(self.run_add(url.strip()))
        summary = await self.reindexing
        await interaction.followup.send(summary, allowed_mentions=discord.AllowedMentions.none())

    async def run_add(self, url: str) -> str:
        """`newsdesk add URL` in a worker thread (fetch, save, index); questions keep working."""
        from bot.render import render_intake
        from index.ingest.intake import add_urls

        try:
            report = await asyncio.to_thread(add_urls, self.settings, [url])
        except NewsdeskError as exc:
            return neutralize_mentions(f"Adding failed: {exc}")
        except Exception:
            log.exception("/add failed")
            return "Adding failed; the error was logged."
        reload = getattr(self.engine, "reload", None)
        if reload is not None and report.index is not None:
            await asyncio.to_thread(reload)  # it waits for a question that is opening the index
        return neutralize_mentions(escape_markdown(render_intake(report)))[:1900]

    async def run_reindex(self) -> str:
        """`newsdesk index` in a worker thread; questions keep being answered meanwhile."""
        from bot.render import render_report
        from index.ingest.indexer import run_index

        try:
            report = await asyncio.to_thread(run_index, self.settings)
        except NewsdeskError as exc:
            return neutralize_mentions(f"Re-index failed: {exc}")
        except Exception:
            log.exception("re-index failed")
            return "Re-index failed; the error was logged."
        reload = getattr(self.engine, "reload", None)
        if reload is not None:
            await asyncio.to_thread(reload)  # it waits for a question that is opening the index
        return neutralize_mentions(escape_markdown("Re-index done: " + render_report(report)))[:1900]


def _thread_name(question: str) -> str:
    name = " ".join(question.split())
    return (name[:95] + "…") if len(name) > 96 else name or "Question"


class NewsdeskBot(commands.Bot):
    def __init__(self, settings: Settings, engine: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings, self.engine = settings, engine

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions are questions, handled by the cog's listener."""

    async def setup_hook(self) -> None:
        await self.add_cog(AskCog(self, self.settings, self.engine))
        if self.settings.discord_guild_id and self.application_id:
            guild = discord.Object(id=self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        elif self.application_id:
            await self.tree.sync()


def create_bot(settings: Settings | None = None, engine: Any | None = None) -> commands.Bot:
    """Build the bot without touching the network; the engine loads the index lazily."""
    settings = settings or load_settings()
    if engine is None:
        from index.query.engine import Engine

        engine = Engine(settings)
    return NewsdeskBot(settings, engine)


def run_discord(settings: Settings) -> None:
    """`newsdesk discord`: one-line errors for a missing or rejected token."""
    token = settings.discord_token.get_secret_value().strip()
    if not token:
        raise NewsdeskError("DISCORD_TOKEN is not set (in the environment or .env); see README 'Discord'")
    from index.query.engine import Engine

    engine = Engine(settings)
    engine.retriever()  # a missing index fails here, before connecting
    bot = create_bot(settings, engine)
    discord.utils.setup_logging(level=logging.INFO, root=True)
    redact_logs()  # request URLs in logs lose their credentials
    try:
        bot.run(token, log_handler=None)
    except discord.LoginFailure:
        raise NewsdeskError(
            "Discord rejected DISCORD_TOKEN; copy a fresh token from the developer portal"
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise NewsdeskError(
            "enable the Message Content intent for this bot in the Discord developer portal (Bot > Privileged Gateway Intents)"
        ) from None
    except (TimeoutError, aiohttp.ClientError, OSError, discord.GatewayNotFound) as exc:
        why = redact_text(str(exc)) or type(exc).__name__
        raise NewsdeskError(
            f"cannot reach Discord ({why}); check the network connection and try again"
        ) from None
