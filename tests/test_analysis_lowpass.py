"""The contact analysis's zero-phase low-pass gives sosfiltfilt's numbers, from one solved
resting state reused for every contact."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from nhc_scale.analysis.lowpass import ZeroPhaseLowpass


@pytest.mark.parametrize(("fs", "cutoff_hz", "order"), [(80.0, 4.0, 4), (79.6, 6.0, 2), (40, 2, 6)])
def test_same_numbers_as_sosfiltfilt(fs: float, cutoff_hz: float, order: int) -> None:
    rng = np.random.default_rng(order)
    lowpass = ZeroPhaseLowpass(order, cutoff_hz, fs)
    sos = butter(order, cutoff_hz, fs=fs, output="sos")
    for size in (lowpass.padding + 1, 100, 2_000):  # the same filter reused, as per contact
        force = 30.0 + np.cumsum(rng.normal(size=size))
        np.testing.assert_allclose(lowpass(force), sosfiltfilt(sos, force), rtol=0, atol=1e-9)


def test_too_short_a_contact_is_refused_like_sosfiltfilt() -> None:
    lowpass = ZeroPhaseLowpass(4, 4.0, 80.0)
    assert lowpass.padding == 15  # two second-order sections: 3 * (2 * 2 + 1)
    with pytest.raises(ValueError, match="more than 15 samples"):
        lowpass(np.ones(15))


def test_an_odd_order_is_refused() -> None:
    with pytest.raises(ValueError, match="even order"):
        ZeroPhaseLowpass(3, 4.0, 80.0)
