"""The running appliance without the web framework: sampler supervision, calibration, the live
detector, sessions and the live fan-out. The web app only wires HTTP to it."""
