"""The public lookup of a published run: one applicant's result, why, and their receipt.

A :class:`PublishedIndex` is built once per published run (the bundle is verified first, every
step but the engine replay, exactly as ``sunshine receipt`` does) and then answers each
lookup from memory: the applicant's result rows, a one-sentence explanation in Chinese and
English, and the receipt with its inclusion proofs. It holds only what the bundle holds,
which is public (the masked 公示 data), so a lookup can never show more than the 公示 list.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from audit.bundle import Bundle
from audit.log import AuditLog
from audit.receipt import ReceiptMaker
from audit.results import rows_index
from audit.signing import Verifier
from audit.verify import verify_bundle
from engine.lottery.review import WITHDRAWN
from engine.lottery.rounds import REASON_LABELS
from engine.points.admission import RESULT_LABELS

__all__ = ["PublishedIndex", "bundle_files"]

_REASON_EN = {"all_choices_full": "every school on the list was full for this applicant's priority",
              "not_enough_seats_for_multiples": "a listed school had seats, but too few for the multiples together",
              "no_preference_in_round2": "no round-2 choices were given"}
_RESULT_EN = {"admitted": "admitted", "admitted_second": "admitted in the second pass",
              "unplaced": "left to administrative placement (统筹)", "below_minimum": "below the minimum total",
              "ineligible": "not eligible"}


def bundle_files(publication: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle's files out of a stored publication (``bundle/<name>`` → ``<name>``)."""
    return {name[len("bundle/"):]: data for name, data in publication.items() if name.startswith("bundle/")}


def _table(data: bytes, key: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {row[key]: row for row in reader if key in row}


class PublishedIndex:
    """Lookups of one published run, answered from memory after one verification."""

    def __init__(self, files: Mapping[str, bytes], trusted_keys: list[Verifier] | None = None) -> None:
        bundle = Bundle.from_files(files)
        for _ in verify_bundle(bundle, trusted_keys=trusted_keys, execute=None):
            pass
        self.kind = bundle.kind
        self.run_id = str(bundle.manifest["run_id"])
        self.results = bundle.results
        self.rows = rows_index(bundle.results)
        log = AuditLog.from_bytes(files["log.jsonl"])
        self.receipts = ReceiptMaker(
            manifest=bundle.manifest, checkpoint=files["checkpoint"].decode(),
            log_keys=list(bundle.keys["log_keys"]), log=log,
            roster_jsonl=files["roster.jsonl"], results=bundle.results)
        self.schools = _table(bundle.results["schools.csv"], "school_id") if "schools.csv" in bundle.results else {}
        self.classes = _table(bundle.results["classes.csv"], "class") if "classes.csv" in bundle.results else {}
        self.withdrawn = {str(p["id"]) for e, p in zip(log.entries, log.payloads, strict=True)
                          if e.action == "roster.withdraw" and isinstance(p, dict)}

    def __contains__(self, applicant_id: str) -> bool:
        return applicant_id in self.receipts.index_of

    def lookup(self, applicant_id: str) -> dict[str, Any]:
        """The applicant's public answer (raises :class:`~audit.errors.NotInRun` when not in the roster)."""
        rows = self.rows.get(applicant_id, [])
        receipt = self.receipts.receipt(applicant_id, rows, None)
        by_file = {r["file"]: dict(zip(r["header"], r["row"], strict=False)) for r in rows}
        result = by_file.get("results.csv") or by_file.get("placement_public.csv") or {}
        zh, en = self._explain(applicant_id, result)
        return {"run_id": self.run_id, "kind": self.kind, "applicant_id": applicant_id,
                "withdrawn": applicant_id in self.withdrawn, "result": result, "rows": by_file,
                "explanation_zh": zh, "explanation_en": en, "receipt": receipt}

    def _explain(self, applicant_id: str, row: Mapping[str, str]) -> tuple[str, str]:
        if applicant_id in self.withdrawn:
            return ("已在名单冻结后退出，未参加派位", "withdrew after the roster was frozen; not in the draw")
        if self.kind == "lottery":
            return self._lottery(row)
        if self.kind == "points":
            return self._points(row)
        if self.kind == "classes":
            cls = row.get("class", "")
            teacher = self.classes.get(cls, {}).get("head_teacher", "")
            return (f"编入 {cls} 班" + (f"，班主任 {teacher}" if teacher else ""),
                    f"placed in class {cls}" + (f", head teacher {teacher}" if teacher else ""))
        return ("结果见下表", "see the result rows")

    def _lottery(self, row: Mapping[str, str]) -> tuple[str, str]:
        number, tier, school = row.get("lottery_number", ""), row.get("tier", ""), row.get("school_id", "")
        if not school and row.get("reason") == WITHDRAWN:
            return (f"已在复核中退出（派位号 {number} 保留备查），不占用学位",
                    f"withdrew in the 复核 review (lottery number {number} kept for the record); holds no seat")
        if not school:
            reason = row.get("reason", "")
            return (f"派位号 {number}（第 {tier} 类）未被录取：{REASON_LABELS.get(reason, reason)}，由教育局统筹安排",
                    f"lottery number {number} (tier {tier}) was not placed: {_REASON_EN.get(reason, reason)}; "
                    "the bureau places the applicant (统筹)")
        s = self.schools.get(school, {})
        choice, rnd = row.get("choice_rank", ""), row.get("round", "")
        cut_tier = s.get("cutoff_tier" if rnd == "1" else "round2_cutoff_tier", "")
        cut_number = s.get("cutoff_lottery_number" if rnd == "1" else "round2_cutoff_lottery_number", "")
        line_zh = f"；该校录取线为第 {cut_tier} 类、派位号 {cut_number}" if cut_tier else "；该校学位未招满"
        line_en = (f"; the school's cutoff was tier {cut_tier}, lottery number {cut_number}" if cut_tier
                   else "; the school did not fill its seats")
        return (f"派位号 {number}（第 {tier} 类）在第 {rnd} 轮被 {school} 录取（第 {choice} 志愿），"
                f"该校 {s.get('capacity', '?')} 个学位{line_zh}",
                f"lottery number {number} (tier {tier}) was admitted to {school} in round {rnd} "
                f"(choice {choice}); the school has {s.get('capacity', '?')} seats{line_en}")

    def _points(self, row: Mapping[str, str]) -> tuple[str, str]:
        code = row.get("result", "")
        school = row.get("school_id", "")
        ranking = next((dict(zip(r["header"], r["row"], strict=False)) for r in self.rows.get(row.get(
            "applicant_id", ""), []) if r["file"] == "ranking.csv"), {})
        total, rank, decided = ranking.get("total", ""), ranking.get("rank", ""), ranking.get("decided_by", "")
        where_zh = f"，录取学校 {school}" if school else ""
        where_en = f", school {school}" if school else ""
        rank_zh = f"，在 {ranking.get('scope', '')} 排第 {rank} 名（由 {decided} 决定）" if rank else ""
        rank_en = f", rank {rank} in {ranking.get('scope', '')} (decided by {decided})" if rank else ""
        return (f"总积分 {total}{rank_zh}：{RESULT_LABELS.get(code, code)}{where_zh}",
                f"total {total}{rank_en}: {_RESULT_EN.get(code, code)}{where_en}")
