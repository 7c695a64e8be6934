"""The rep detector's numbers, each with the reason it has the value it has.

Everything the detector decides is one of these thresholds; keeping them together, frozen and
documented makes a live session and an offline re-analysis of its export agree by construction
(both build the detector from the same defaults) and makes every tuning choice visible.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectorConfig:
    # --- sample stream -------------------------------------------------------------------------
    #: Intervals used to infer the rate. The HX711 runs at 10 or 80 S/s nominal but its internal
    #: oscillator is only good to a few per cent; the median of 16 intervals is robust to a few
    #: lost conversions and costs 1.6 s of latency at 10 S/s, once per session.
    rate_probe_samples: int = 16
    #: An interval longer than 1.5 periods means at least one conversion was lost.
    gap_factor: float = 1.5
    #: Gaps up to this long are filled by linear interpolation (a Nordic rep takes more than 2 s,
    #: so nothing the detector cares about fits in a hole this size). Longer holes are a break in
    #: the recording: a contact in progress ends there.
    max_fill_s: float = 2.0

    # --- glitches ------------------------------------------------------------------------------
    #: A sample that departs from its predecessor by more than this and comes back is a glitch.
    #: 3 kg is ten times the noise of a bathroom-scale pad and above what tremor moves a sample.
    spike_min_kg: float = 3.0
    #: ...or by more than this slope times the sample period, so that at 10 S/s the tip of a steep
    #: V-shaped minimum (real force, 0.1 s apart) is not mistaken for one.
    spike_slope_kg_s: float = 60.0
    #: Longest run of consecutive bad conversions bridged in a steady stream (50 ms: the length
    #: of a wild reading, far shorter than any push-off, which lifts a body).
    glitch_max_s: float = 0.05
    #: The force may move this fast while the glitch lasts: the good sample after it must be back
    #: within threshold + this * elapsed time of the good sample before it (the effort's fall
    #: continues during a 0.5 s chip restart).
    glitch_drift_kg_s: float = 30.0
    #: Right after lost conversions (a chip reset) up to this many conversions may be junk: the
    #: HX711 needs four conversions to settle after power-up.
    glitch_max_after_gap: int = 4

    # --- contacts ------------------------------------------------------------------------------
    #: Causal low-pass used to decide contact (tremor, mains pickup and noise must not make the
    #: thresholds chatter).
    detect_lowpass_hz: float = 4.0
    #: Time constant of the zero tracking between contacts: slow next to a touch of the pad,
    #: fast next to thermal drift of the load cell.
    baseline_tau_s: float = 2.0
    #: The zero used for a contact is the one from this long before its onset, so that the
    #: rising edge itself never leaks into it.
    baseline_lookback_s: float = 0.5
    #: Relative to that zero a contact starts above this force...
    contact_on_kg: float = 2.0
    #: ...and is broken below this one (hysteresis: no chatter at the threshold).
    contact_off_kg: float = 1.0
    #: Breaks shorter than this belong to the same contact (docs/measurement.md: a full Nordic
    #: rep cannot be done in under ~2 s, so a bounce or a near-zero moment before the push-off
    #: is not an end).
    merge_gap_s: float = 2.0
    #: A piece of a contact after a break in which fewer than this many measured conversions read
    #: above ``contact_on_kg`` is not hands coming back: it is a glitch the despiker had to leave
    #: alone (at 10 S/s its threshold is 6 kg, to keep the tips of steep Vs) or a touch too brief
    #: to matter. The break goes on through it, so that it can neither hide the release after a
    #: push-off nor join two reps into one.
    touch_min_conversions: int = 2
    #: A "contact" longer than this is a weight left on the pad or a tare that jumped: the zero is
    #: re-learnt and no rep is reported.
    max_contact_s: float = 60.0
    #: A start that reads further from zero than this is a recording that began with hands on
    #: the pad, not a tare error: the zero then starts at 0 kg.
    init_max_offset_kg: float = 5.0

    # --- reps ----------------------------------------------------------------------------------
    #: A rep lasts at least this long from touch to release; a tap of the pad does not.
    min_rep_s: float = 1.0
    #: ...and its hands carry at least this much (a 45 kg athlete's hold is ~15-25 kg).
    min_rep_kg: float = 5.0
    #: Pieces of a contact shorter than this at its start are bounces or taps before the landing.
    bounce_max_s: float = 0.6
    #: After the landing peak the impact and the ringing fade for this long before the hold.
    landing_settle_s: float = 0.3
    #: docs/measurement.md: the minimum is what the hands sustain for 0.3 s; it is the minimum
    #: of the force averaged over this window (a needle would not show anything shorter).
    sustain_s: float = 0.3
    #: Zero-phase low-pass applied to a contact before looking for its minimum at rates that
    #: resolve it: removes tremor (8-12 Hz) and aliased mains, keeps the shape of the effort.
    analysis_lowpass_hz: float = 5.0
    #: Dips at least this deep...
    dip_min_kg: float = 0.8
    #: ...measured against the force within this time either side (not against the hold or the
    #: push-off peak seconds away, which would make every dip at the minimum look enormous)...
    dip_context_s: float = 0.5
    #: ...whose half-depth width is below this are transients (a hand shifting on the pad, a
    #: trough of the landing's ringing) and are cut out before the minimum is taken. A 0.3 s
    #: dip is ~0.15 s wide at half depth if it eases in and out, ~0.25 s if the hand comes off
    #: and goes back within 50 ms each way (at 0.2 s a 0.28 s one read 6.6 kg low); the V of a real
    #: effort is far wider at half depth.
    dip_max_halfwidth_s: float = 0.25
    #: A dip's cut reaches at most this far either side of its tip: half the longest hand shift
    #: (docs/measurement.md: transients shorter than 0.3 s). At 10 S/s that is the three
    #: conversions a hand shift can touch; a reach of two a side took the V's flank or the
    #: push-off's first conversion with it, and the fill, bent by the push-off, read 1-4 kg high.
    dip_reach_s: float = 0.15
    #: The line a dip is measured against is fitted to the force either side of spans up to
    #: this long either side of its tip: a 0.3 s hand shift's half and the low-pass's smear.
    dip_line_span_s: float = 0.2
    #: A dip is cut out where it is deeper than this share of its depth below its surroundings.
    #: The shallow flanks left in are the fill's nearest context (and its floor: the fill never
    #: goes below the force read), so it starts closer to the minimum and has less of the
    #: effort's curvature to bridge; cut any narrower and the flanks pull a plateau down.
    dip_cut_depth: float = 0.3
    #: A wider minimum is also looked at for a short dip riding on it (a hand shifting at the
    #: tip of the effort's V), measured against the broken line the force either side makes; it
    #: counts when it is deeper than ``dip_min_kg`` plus this many times that line's RMS misfit
    #: to the force it was fitted to (a three-sigma test: swept from 1.5 to 6 with the same
    #: result on five seed sets). Only at rates whose force is low-passed before analysis: at
    #: 10 S/s a V's tip is one or two conversions beside three-conversion sides carrying aliased
    #: tremor; without the misfit term the test cut real V tips there (34 of 405 reps without a
    #: hand shift on seeds 3000+ read high), and with it it gained nothing at that rate.
    dip_misfit_sigmas: float = 3.0
    #: A cut-out dip is filled with a broken line fitted to the force this long either side of
    #: it: long enough to average tremor and noise, short enough that the effort's curvature
    #: does not bend the line.
    fill_context_s: float = 0.3
    #: ...taken from the nearest samples that are not in another dip, up to this far away: a
    #: hand shift's catch is often followed by a second trough, and at 10 S/s that trough's
    #: cut-out would otherwise leave fewer than two samples on that side and the dip unfilled.
    fill_reach_s: float = 0.6
    #: A shallower dip beginning within this many of a deeper cut's widths after it ends is the
    #: trough after that hand's catch: the force the hands sustain once the overshoot of the
    #: hand landing again has passed, not a second hand shift (one hand shifts at a time). The
    #: catch lasts about as long as the shift, and the cut takes 50-80 % of the shift's width
    #: (1.5 and 2 scored the same, 3 worse).
    catch_trough_widths: float = 2.0
    #: A push-off is a rise of the sustained force after the minimum by at least this much...
    push_rise_kg: float = 1.5
    #: ...and by at least this share of the fall from the hold, so that a wobble in a slow
    #: unassisted lift-off is not taken for one (a push-off lifts the body: it is large; at 0.2
    #: two weak push-offs over a minimum read 3 kg high were taken for wobbles, and the reps
    #: for unassisted)...
    push_rise_frac: float = 0.15
    #: ...and by at least this share of the force it rises from: a hold's slow sway moves the
    #: force by up to ~6 % peak to peak, and a strong athlete may lift off straight from a
    #: swaying hold, with no fall before it to measure the rise against...
    push_rise_level_frac: float = 0.08
    #: ...and after it the hands leave: the force stays above the minimum until at most this
    #: long before the end of the contact. A release is brisk (the hands come off as the torso
    #: comes up); an unassisted lift-off's fall from a hold, after a sway's crest or a hand
    #: shift's catch, takes longer. The same window bounds a hole that may hide a push-off.
    release_max_s: float = 0.5
    #: Reps further apart than this (end to start) are in different sets (reps within a set
    #: come every 10-20 s, rests between sets last minutes).
    set_gap_s: float = 45.0
