"""Continuous acquisition in its own OS process, delivered as sequence-numbered sample blocks."""

from nhc_scale.sampler.blocks import SampleBlock, SamplerStats
from nhc_scale.sampler.process import Sampler, SamplerConfig, SamplerDied

__all__ = ["SampleBlock", "Sampler", "SamplerConfig", "SamplerDied", "SamplerStats"]
