"""Secrets shared by the store: two processes with data dirs of their own on one real
Redis. A speaker link and the question assistant's token made on one work on the other,
a voter id issued by one counts on the other, nothing secret is written to a data dir,
and a variable set in a process's environment still wins there."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from tests.helpers import Server
from tests.redis_server import RedisServer

PENDING = "/api/questions?status=pending"  # the assistant's (and moderators') list
SECRET_FILES = ("moderator.token", "speaker.key", "questions.token", "voter.key")


@pytest.fixture
def pair(tmp_path: Path, redis_server: RedisServer) -> Iterator[tuple[Server, Server]]:
    """Two processes started at once (both reach for the secrets together), each with
    its own data dir and no secret in its environment but the moderator token."""
    args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    env = {"PODIUM_QUESTIONS_TOKEN": "", "PODIUM_SPEAKER_KEY": "", "PODIUM_VOTER_KEY": ""}
    servers = [Server(tmp_path / f"data-{i}", extra_args=args, env=env) for i in range(2)]
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Server.start, servers))
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.kill()


def shared(redis_server: RedisServer, name: str) -> str:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    value = client.hget(f"{redis_server.prefix}:secrets", name)
    client.close()
    assert isinstance(value, str) and len(value) >= 22, value
    return value


def speaker_link_token(server: Server) -> str:
    status, links = server.request("GET", "/api/speakers/links", token=server.token)
    assert status == 200, links
    return urllib.parse.urlsplit(links[0]["url"]).fragment.removeprefix("token=")


def test_a_speaker_link_and_the_assistant_token_made_on_one_work_on_the_other(
    pair: tuple[Server, Server], redis_server: RedisServer
) -> None:
    one, two = pair
    link = speaker_link_token(one)
    assert link == speaker_link_token(two)
    for server in pair:
        status, me = server.request("GET", "/api/speakers/me", token=link)
        assert status == 200 and me["speaker_id"], me
    assert two.request("GET", "/api/speakers/me", token=link[:-2] + "xx")[0] == 401

    assistant = shared(redis_server, "questions.token")
    for server in pair:
        assert server.request("GET", PENDING, token=assistant)[0] == 200
    assert two.request("GET", PENDING, token="not-the-assistant-token-000")[0] == 401

    voter = one.voter()  # signed with the shared voter key: counted on the other
    status, asked = one.request("POST", "/api/questions", {"text": "Which bands for IMT?"})
    assert status == 201, asked
    qid = asked["id"]
    status, _ = two.request("POST", f"/api/questions/{qid}", {"action": "approve"}, assistant)
    assert status == 200
    status, body = two.request("POST", f"/api/questions/{qid}/vote", {"voter": voter})
    assert status == 200, body

    for server in pair:
        kept = [name for name in SECRET_FILES if (server.data_dir / name).exists()]
        assert not kept, f"{server.data_dir} holds {kept}: with Redis the secrets are there"


def test_a_variable_in_the_environment_still_wins(
    tmp_path: Path, pair: tuple[Server, Server], redis_server: RedisServer
) -> None:
    own = "this-process-own-assistant-token-0123"
    args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    third = Server(tmp_path / "data-3", extra_args=args, env={"PODIUM_QUESTIONS_TOKEN": own})
    third.start()
    try:
        assert third.request("GET", PENDING, token=own)[0] == 200
        assert pair[0].request("GET", PENDING, token=own)[0] == 401
        assistant = shared(redis_server, "questions.token")
        assert third.request("GET", PENDING, token=assistant)[0] == 401
        assert speaker_link_token(third) == speaker_link_token(pair[0])  # the rest: shared
    finally:
        third.kill()


def test_the_banner_gives_the_public_links_and_where_the_shared_token_is(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    public = "https://podium.example.org"
    args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    server = Server(tmp_path / "data", extra_args=[*args, "--public-url", public],
                    env={"PODIUM_MODERATOR_TOKEN": ""})  # fmt: skip
    server.token = ""
    server.start()
    try:
        banner = server.log.read_text()  # stdout is a file here: no token in it
        token = shared(redis_server, "moderator.token")
        assert f"{public}/viewer" in banner and f"{public}/console" in banner
        assert f"Redis, field moderator.token of the hash {redis_server.prefix}:secrets" in banner
        assert token not in banner and f"{server.url}/viewer" not in banner
        status, links = server.request("GET", "/api/speakers/links", token=token)
        assert status == 200 and links[0]["url"].startswith(f"{public}/speaker?room=")  # public
    finally:
        server.kill()
