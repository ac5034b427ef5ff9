"""What a call cost, in US cents, from the node's rates and the call's recorded usage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from jackfield import CallSnapshot, UsageService
from jackfield_tuner._node import TunerNode

__all__ = ["CallCost", "compute_call_cost"]

#: Cents are sent with this many decimal places (a hundredth of a thousandth of a dollar).
_CENT_DECIMALS: Final = 4


@dataclass(frozen=True, slots=True)
class CallCost:
    """The cost of one call per service, in US cents (not rounded)."""

    llm_cents: float = 0.0
    tts_cents: float = 0.0
    stt_cents: float = 0.0
    telephony_cents: float = 0.0

    @property
    def total_cents(self) -> float:
        """The whole call, rounded to four decimal places."""
        total = self.llm_cents + self.tts_cents + self.stt_cents + self.telephony_cents
        return round(total, _CENT_DECIMALS)

    def breakdown(self) -> dict[str, Any]:
        """Each service's share and the total, in cents, rounded to four decimal places."""
        return {
            "llm": round(self.llm_cents, _CENT_DECIMALS),
            "tts": round(self.tts_cents, _CENT_DECIMALS),
            "stt": round(self.stt_cents, _CENT_DECIMALS),
            "telephony": round(self.telephony_cents, _CENT_DECIMALS),
            "total": self.total_cents,
        }


def compute_call_cost(call: CallSnapshot, rates: TunerNode, *, phone_call: bool) -> CallCost:
    """Price ``call``'s usage with ``rates``' US-dollar rates; the result is in cents.

    - LLM: cached input tokens are counted inside ``prompt_tokens`` (as the
      providers report them), so ``prompt_tokens - cached_tokens`` are billed at
      the input rate, ``cached_tokens`` at the cached-input rate and
      ``completion_tokens`` at the output rate, each per million tokens.
    - TTS: characters synthesised, per thousand; STT: audio seconds, per minute.
    - Telephony: the call's duration, per minute, and only for a phone call
      (a web call uses no phone line). A call without a known duration costs
      nothing here.

    :param call: the recorded call.
    :param rates: the Tuner node holding the rates (``calculate_cost`` is not checked).
    :param phone_call: whether the call went over the phone network.
    """
    llm_usd = 0.0
    for usage in call.usage_of(UsageService.LLM):
        cached = min(usage.cached_tokens, usage.prompt_tokens)
        llm_usd += (
            (usage.prompt_tokens - cached) * rates.llm_input_usd_per_1m_tokens
            + cached * rates.llm_cached_input_usd_per_1m_tokens
            + usage.completion_tokens * rates.llm_output_usd_per_1m_tokens
        ) / 1_000_000
    characters = sum(u.tts_characters for u in call.usage_of(UsageService.TTS))
    audio_seconds = sum(u.stt_seconds for u in call.usage_of(UsageService.STT))
    call_minutes = (call.duration_s or 0.0) / 60 if phone_call else 0.0
    return CallCost(
        llm_cents=llm_usd * 100,
        tts_cents=characters / 1000 * rates.tts_usd_per_1k_chars * 100,
        stt_cents=audio_seconds / 60 * rates.stt_usd_per_minute * 100,
        telephony_cents=call_minutes * rates.telephony_usd_per_minute * 100,
    )
