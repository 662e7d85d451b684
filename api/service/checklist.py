"""What is still missing before a run can take its next step (the console's checklist, every 409).

Like Helios' ``issues_before_freeze``: rather than only refusing an illegal step, the service
says what must happen first, item by item, in Chinese and English. The list is derived from
the stored inputs and the replayed log only, so every edge shows the same checklist.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.runs import get_kind
from api.runs.kind import missing_inputs
from api.service.drafts import input_files
from api.store.base import RunStore
from audit.ceremony import CeremonyState, State, replay_log

__all__ = ["Item", "checklist"]


@dataclass(frozen=True)
class Item:
    """One thing still to do: a stable code, who does it, and the text."""

    code: str
    who: str
    message_zh: str
    message_en: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "who": self.who, "message_zh": self.message_zh, "message_en": self.message_en}


def checklist(store: RunStore) -> list[Item]:
    """The items still open before the run's next step (empty: the next step can be taken now)."""
    st = replay_log(store.log())
    if st.state is State.DRAFT:
        return _draft(store)
    return _after_freeze(st)


def _draft(store: RunStore) -> list[Item]:
    kind = get_kind(store.info().kind)
    items = [Item("input_missing", "operator", f"上传 {s.key}：{s.help_zh}", f"upload {s.key}: {s.help_en}")
             for s in missing_inputs(kind, input_files(store.source_files()))]
    if not items and not store.prepared().roster:
        items.append(Item("roster_empty", "operator", "名单为空", "the roster is empty"))
    return items


def _witness_items(st: CeremonyState, size: int, act: str, done: set[str], zh: str) -> list[Item]:
    items: list[Item] = []
    for w in st.witness_names:
        if size not in st.cosigned.get(w, {}):
            items.append(Item("cosign_missing", w, f"见证人 {w} 尚未联署检查点 {size}",
                              f"witness {w} has not cosigned checkpoint {size}"))
        if w not in done:
            items.append(Item(f"{act}_missing", w, f"见证人 {w} 尚未{zh}", f"witness {w} has not {act}ed"
                              if act != "commit" else f"witness {w} has not committed"))
    return items


def _after_freeze(st: CeremonyState) -> list[Item]:
    s = st.state
    if s is State.ROSTER_FROZEN and st.review_of:
        return [Item("seed_not_inherited", "operator", f"继承原运行 {st.review_of} 的种子（复核不另行抽取随机数）",
                     f"inherit the original run {st.review_of}'s seed (a 复核 draws no new randomness)")]
    if s is State.ROSTER_FROZEN:
        return [Item("sources_undeclared", "operator", "声明见证人、揭示截止时间与 drand 轮次",
                     "declare the witnesses, the reveal deadline and the drand round")]
    if s is State.SOURCES_DECLARED:
        return _witness_items(st, st.declared_size, "commit", set(st.commitments), "提交承诺")
    if s is State.COMMITTED:
        return _witness_items(st, st.committed_size, "reveal", set(st.reveals) | set(st.forfeits), "揭示（或放弃）")
    if s is State.REVEALED:
        return [Item("public_value_missing", "operator", f"提交 drand 第 {st.beacon_round} 轮的公开随机值",
                     f"give the public value: drand round {st.beacon_round}")]
    if s is State.SEEDED:
        return [Item("not_executed", "operator", "执行派位", "execute the run")]
    if s is State.EXECUTED:
        return [Item("not_published", "operator", "发布结果", "publish the results")]
    return []
