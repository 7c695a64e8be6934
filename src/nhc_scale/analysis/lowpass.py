"""The contact analysis's zero-phase low-pass: ``scipy.signal.sosfiltfilt`` as the detector uses
it, with the filter's resting state solved once per stream instead of once per contact (solving
it cost as much as the filtering itself)."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt, sosfilt_zi


class ZeroPhaseLowpass:
    """A Butterworth low-pass run forwards then backwards, as ``sosfiltfilt`` with its default
    odd padding: the same numbers, no phase lag, the order doubled in effect."""

    def __init__(self, order: int, cutoff_hz: float, fs: float) -> None:
        if order % 2:
            # an odd order has a first-order section, for which sosfiltfilt pads less
            raise ValueError("ZeroPhaseLowpass takes an even order")
        self._sos = butter(order, cutoff_hz, fs=fs, output="sos")
        self._rest = sosfilt_zi(self._sos)  # the state at rest on 1 kg
        #: samples of odd extension at each end: three times the filter's length
        self.padding = 3 * (2 * self._sos.shape[0] + 1)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """``y`` filtered without lag; it must be longer than :attr:`padding`."""
        n = self.padding
        if y.size <= n:
            raise ValueError(f"a zero-phase low-pass needs more than {n} samples")
        ext = np.concatenate((2 * y[0] - y[n:0:-1], y, 2 * y[-1] - y[-2 : -n - 2 : -1]))
        forward, _ = sosfilt(self._sos, ext, zi=self._rest * ext[0])
        backward, _ = sosfilt(self._sos, forward[::-1], zi=self._rest * forward[-1])
        return backward[::-1][n:-n]


__all__ = ["ZeroPhaseLowpass"]
