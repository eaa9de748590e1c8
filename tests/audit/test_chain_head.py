"""The end of the audit chain: cutting off its last entries is seen, whether the head is moved
to the new last entry (its seal no longer matches) or an old head is put back (a checkpoint
kept outside the database no longer matches)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit import chain
from models import AuditChainHead, AuditEntry
from resolvers.dossiers import Applicant, Reception, receive_dossier
from tests.audit.test_trail import _sql, _trail, user
from tests.graphql import execute
from tests.world import build_world

ROOT_DIR = Path(__file__).resolve().parents[2]
VERIFY = """query($e: String) { verifyAuditTrail(expected: $e) {
  ok checked firstBadId problem checkpoint } }"""


@pytest.fixture
async def people(db):
    await build_world()
    return {"clerk": await user("lan", "CLERK", "20335"),
            "inspector": await user("minh", "INSPECTOR", "49")}


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "app.py", "audit", "verify", *args], cwd=ROOT_DIR,
                          text=True, capture_output=True, timeout=60,
                          env={**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development",
                               "AUDIT_KEY": chain._Key.value.decode()})


async def cut_tail(keep: int, *, head: tuple[int, str, str] | None = None) -> None:
    """Delete every entry after seq `keep`; point the head at entry `keep`, as someone without
    the key would (its seal recomputed from nothing) or put back an old `head` row."""
    await _sql(f"DELETE FROM audit_entries WHERE seq > {keep}")
    if head is None:
        last = await AuditEntry.get(seq=keep)
        await AuditChainHead.filter(id=1).update(last_seq=keep, last_hash=last.hash)
    else:
        seq, digest, mac = head
        await AuditChainHead.filter(id=1).update(last_seq=seq, last_hash=digest, head_mac=mac)


async def head_row() -> tuple[int, str, str]:
    head = await AuditChainHead.get(id=1)
    return head.last_seq, head.last_hash, head.head_mac


async def test_cutting_the_tail_and_moving_the_head_is_seen(people, database_url):
    rows = await _trail(people)
    assert (await chain.verify()).ok
    await cut_tail(rows[-3].seq)
    result = await chain.verify()
    assert not result.ok and "chain head was altered" in result.problem
    answer = cli(database_url)
    assert answer.returncode == 1 and "chain head was altered" in answer.stderr


async def test_putting_back_an_old_head_is_caught_by_a_kept_checkpoint(people):
    # given an inspector who kept the checkpoint of a verification
    await _trail(people, count=2)
    old_head = await head_row()
    await _trail(people, count=3)
    kept = (await execute(VERIFY, people["inspector"])).data["verifyAuditTrail"]
    last = await AuditEntry.get(seq=kept["checked"])
    assert kept["ok"] and kept["checkpoint"] == f"{last.seq}:{last.hash}"
    # when the last entries are removed and a copy of an older head row is put back
    await cut_tail(old_head[0], head=old_head)
    # then the chain alone looks whole, but not to the inspector's checkpoint
    assert (await chain.verify()).ok
    result = (await execute(VERIFY, people["inspector"], e=kept["checkpoint"])).data
    assert result["verifyAuditTrail"]["ok"] is False
    assert "before checkpoint" in result["verifyAuditTrail"]["problem"]


async def test_a_checkpoint_of_another_entry_fails(people):
    rows = await _trail(people, count=3)
    forged = f"{rows[1].seq}:{'0' * 64}"
    result = (await execute(VERIFY, people["inspector"], e=forged)).data["verifyAuditTrail"]
    assert (result["ok"], result["firstBadId"]) == (False, rows[1].id)


@pytest.mark.parametrize("text", ["", "12", "x:" + "0" * 64, "3:" + "g" * 64, "3:abc", "-1:" + "0" * 64])
async def test_a_malformed_checkpoint_is_bad_input(people, text):
    result = await execute(VERIFY, people["inspector"], e=text)
    assert result.codes == ["BAD_USER_INPUT"] and result.errors[0]["extensions"]["field"] == "expected"


async def test_anchors_file_keeps_checkpoints_outside_the_database(people, database_url, tmp_path):
    anchors = tmp_path / "anchors.log"
    await _trail(people, count=2)
    old_head = await head_row()
    first = cli(database_url, "--anchors", str(anchors))
    assert first.returncode == 0, first.stderr
    await _trail(people, count=2)
    second = cli(database_url, "--anchors", str(anchors))
    assert second.returncode == 0, second.stderr
    assert len(anchors.read_text().split()) == 2
    await cut_tail(old_head[0], head=old_head)
    third = cli(database_url, "--anchors", str(anchors))
    assert third.returncode == 1 and "entries were removed" in third.stderr


async def test_an_unsealed_head_from_before_the_upgrade_is_sealed_by_migrate(people):
    await _trail(people, count=2)
    await AuditChainHead.filter(id=1).update(head_mac="")
    assert not (await chain.verify()).ok
    await chain.ensure_head()  # what `app.py migrate` does after the upgrade
    assert (await chain.verify()).ok


async def test_verification_while_entries_are_appended(people):
    async def write(i: int) -> None:
        await receive_dossier(actor=people["clerk"], reception=Reception(
            procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
            applicant=Applicant(name=f"Người {i}")))

    await _trail(people, count=3)
    results = await asyncio.gather(*(write(i) for i in range(20)), chain.verify(batch=2),
                                   *(write(i) for i in range(20, 40)))
    verification = results[20]
    assert verification.ok, verification
    assert (await chain.verify()).checked == await AuditEntry.all().count()
