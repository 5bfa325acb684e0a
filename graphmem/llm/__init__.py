"""LLM providers behind one small protocol (`StructuredLLM`): OpenAI-API servers and Anthropic.

    llm = create_llm(MemoryConfig.parse({"llm": {"provider": "openai", "config": {...}}}).llm)
    extraction = await llm.generate(system, user, LLMExtraction)   # a validated pydantic model

Each provider's SDK is imported when the provider is built, never when this package is.
"""

from __future__ import annotations

from graphmem.config import AnthropicLlm, Llm
from graphmem.llm.base import StructuredLLM

__all__ = ["StructuredLLM", "create_llm"]


def create_llm(llm: Llm) -> StructuredLLM:
    """The provider a config names; raises MissingDependencyError when its SDK's extra is not installed."""
    from graphmem.llm.endpoints import anthropic_endpoint, openai_endpoint

    # The SDK is checked before the key and address, so a missing extra is the first thing reported.
    if isinstance(llm, AnthropicLlm):
        from graphmem.llm.anthropic import AnthropicLLM, import_anthropic

        import_anthropic()
        return AnthropicLLM(anthropic_endpoint(llm), llm.config)
    from graphmem.config import OpenAILlm
    from graphmem.llm.openai import OpenAILLM, import_openai

    import_openai()
    store = llm.config.store if isinstance(llm, OpenAILlm) else None
    return OpenAILLM(openai_endpoint(llm), llm.config, store=store)
