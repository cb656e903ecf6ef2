"""Rasa's Redis ticket lock, with each step one atomic Redis script.

Rasa 3.6's ``RedisLockStore`` takes a conversation's lock in read-modify-write steps: issuing
a ticket reads the lock and writes it back (GET, then SET), taking it reads it again, and
releasing it reads, writes, reads and deletes: seven round trips per message on a
synchronous client, which blocks the worker's event loop each time (≈ 6 % of a worker under
load, ``reports/profile-load.md``). Two servers issuing tickets for one conversation at the
same moment can both read the lock before either writes it, and both go ahead: the race of
RasaHQ/rasa#9213.

:class:`AtomicRedisLockStore` keeps Rasa's data (the same key and the same ``TicketLock`` JSON)
and semantics (tickets served in order; expired tickets ignored), but issuing a ticket is one
Lua script that also says whether that ticket is served at once, and releasing is another:
two round trips for an uncontended message, and no window between read and write. A message
that has to wait polls the lock every :data:`WAIT_SECONDS` (Rasa: every second).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

WAIT_SECONDS = 0.05
"""How often a message waiting for its conversation's lock looks again."""

# KEYS[1] the lock's key; ARGV: conversation id, now, lifetime.
# Drops expired tickets, appends the next one, saves; returns {ticket, now serving}.
ISSUE = """
local now = tonumber(ARGV[2])
local conversation = ARGV[1]
local kept = {}
local raw = redis.call('GET', KEYS[1])
if raw then
  local lock = cjson.decode(raw)
  for _, text in ipairs(lock['tickets'] or {}) do
    local ticket = cjson.decode(text)
    if not (now > ticket['expires']) then table.insert(kept, ticket) end
  end
end
local number = 0
if #kept > 0 then number = kept[#kept]['number'] + 1 end
table.insert(kept, {number = number, expires = now + tonumber(ARGV[3])})
local encoded = {}
for i, ticket in ipairs(kept) do
  encoded[i] = cjson.encode({number = ticket['number'], expires = ticket['expires']})
end
redis.call('SET', KEYS[1], cjson.encode({conversation_id = conversation, tickets = encoded}))
return {number, kept[1]['number']}
"""

# KEYS[1] the lock's key; ARGV: ticket number, now.
# Removes the ticket and expired ones; deletes the lock when no ticket is left.
RELEASE = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local lock = cjson.decode(raw)
local number = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local kept = {}
for _, text in ipairs(lock['tickets'] or {}) do
  local ticket = cjson.decode(text)
  if ticket['number'] ~= number and not (now > ticket['expires']) then
    table.insert(kept, text)
  end
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
lock['tickets'] = kept
redis.call('SET', KEYS[1], cjson.encode(lock))
return #kept
"""


class AtomicRedisLockStore(RedisLockStore):
    """:class:`~rasa.core.lock_store.RedisLockStore` issuing and releasing atomically."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        """As :class:`RedisLockStore` (host, port, db, password, key_prefix, …).

        Rasa creates a lock store named by its module path with ``endpoint_config`` only
        (the ``lock_store`` section of the endpoints file: ``url`` is the host).
        """
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._issue = self.red.register_script(ISSUE)
        self._release = self.red.register_script(RELEASE)

    def _key(self, conversation_id: str) -> str:
        return f"{self.key_prefix}{conversation_id}"

    def issue_and_serve(self, conversation_id: str, lock_lifetime: float) -> tuple[int, int]:
        """Issue the next ticket; return it and the ticket now being served."""
        try:
            ticket, serving = self._issue(
                keys=[self._key(conversation_id)],
                args=[conversation_id, repr(time.time()), repr(float(lock_lifetime))],
            )
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(ticket), int(serving)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue a new ticket (atomically) and return its number."""
        return self.issue_and_serve(conversation_id, lock_lifetime)[0]

    def update_lock(self, conversation_id: str) -> None:
        """Nothing to write: the scripts drop expired tickets whenever they write the lock.

        (Rasa's version reads the lock and writes it back, which could drop a ticket issued
        in between; reading it already ignores expired tickets.)
        """

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket (atomically); the lock goes when no ticket is left."""
        self._release(keys=[self._key(conversation_id)], args=[ticket_number, repr(time.time())])

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = WAIT_SECONDS,
    ) -> AsyncIterator[TicketLock]:
        """Hold ``conversation_id``'s lock: at once if no one is ahead, else in turn."""
        ticket, serving = self.issue_and_serve(conversation_id, lock_lifetime)
        try:
            if ticket == serving:
                expires = time.time() + lock_lifetime
                yield TicketLock(conversation_id, deque([Ticket(ticket, expires)]))
            else:
                yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            self.cleanup(conversation_id, ticket)
