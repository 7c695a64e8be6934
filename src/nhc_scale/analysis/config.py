"""The rep detector's numbers, each with the physical reason for its value.

Everything the detector decides is one of these thresholds; keeping them together and frozen
makes a live session and an offline re-analysis of its export agree by construction (both build
the detector from the same defaults). What the numbers mean for the athlete is
docs/measurement.md; what was tried and measured on the way to them is docs/detector-notes.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectorConfig:
    # --- sample stream -------------------------------------------------------------------------
    #: Intervals the rate is inferred from: the HX711's oscillator is only good to a few per cent,
    #: and a median of 16 shrugs off a few lost conversions (1.6 s of latency at 10 S/s, once).
    rate_probe_samples: int = 16
    #: An interval longer than 1.5 periods means at least one conversion was lost.
    gap_factor: float = 1.5
    #: Holes up to this long are bridged by a line: a Nordic rep takes more than 2 s, so nothing
    #: that matters fits in one. A longer hole is a break in the recording and ends a contact.
    max_fill_s: float = 2.0

    # --- glitches ------------------------------------------------------------------------------
    #: A sample this far from its predecessor that comes back is a glitch: ten times a bathroom-
    #: scale pad's noise, and more than tremor moves one sample.
    spike_min_kg: float = 3.0
    #: ...or this slope times the sample period, so that at 10 S/s the tip of a steep V (real
    #: force, 0.1 s apart) is not taken for one.
    spike_slope_kg_s: float = 60.0
    #: Longest run of bad conversions bridged in a steady stream: a wild reading, far shorter than
    #: any push-off (which lifts a body).
    glitch_max_s: float = 0.05
    #: How fast the force may move while a glitch lasts (the effort's fall goes on during a
    #: 0.5 s chip restart): the good sample after it must be back within this drift.
    glitch_drift_kg_s: float = 30.0
    #: After lost conversions (a chip reset) up to this many may be junk: the HX711 needs four
    #: conversions to settle after power-up.
    glitch_max_after_gap: int = 4

    # --- contacts ------------------------------------------------------------------------------
    #: Causal low-pass used to decide contact, so that tremor, mains pickup and noise do not make
    #: the thresholds chatter.
    detect_lowpass_hz: float = 4.0
    #: Time constant of the zero tracking between contacts: slow next to a touch of the pad, fast
    #: next to the load cells' thermal drift.
    baseline_tau_s: float = 2.0
    #: A contact is measured from the zero this long before its onset, so that the rising edge
    #: never leaks into it.
    baseline_lookback_s: float = 0.5
    #: Above this over the zero, hands are on the pad...
    contact_on_kg: float = 2.0
    #: ...and below this they have left (hysteresis: no chatter at the threshold).
    contact_off_kg: float = 1.0
    #: Breaks shorter than this belong to the same contact: a full Nordic rep cannot be done in
    #: under ~2 s, so a bounce or a near-zero moment before the push-off is not an end.
    merge_gap_s: float = 2.0
    #: A piece after a break with fewer measured conversions than this above ``contact_on_kg`` is
    #: a glitch or a brush of the pad, not the hands coming back: the break goes on through it.
    touch_min_conversions: int = 2
    #: A "contact" longer than this is a weight left on the pad or a tare that jumped: the zero is
    #: learnt again and no rep is reported.
    max_contact_s: float = 60.0
    #: A recording that starts further than this from zero began with hands on the pad (a tare
    #: is never that far off): its zero starts at 0 kg.
    init_max_offset_kg: float = 5.0

    # --- reps ----------------------------------------------------------------------------------
    #: A rep lasts at least this long from touch to release; a tap of the pad does not.
    min_rep_s: float = 1.0
    #: ...and its hands carry at least this much (a 45 kg athlete's hold is ~15-25 kg).
    min_rep_kg: float = 5.0
    #: Pieces of a contact shorter than this at its start are bounces before the landing.
    bounce_max_s: float = 0.6
    #: After the landing's peak the impact and the ringing of pad and arms fade for this long.
    landing_settle_s: float = 0.3
    #: The minimum is what the hands sustain for this long (docs/measurement.md): a needle would
    #: not show anything shorter.
    sustain_s: float = 0.3
    #: Zero-phase low-pass of a contact before its minimum is sought, at rates that resolve it:
    #: removes tremor (8-12 Hz) and aliased mains, keeps the shape of the effort.
    analysis_lowpass_hz: float = 5.0
    #: Rates from this up resolve the effort's shape (80 S/s: 24 conversions per 0.3 s); below
    #: it (10 S/s: three, each an average over its period) the force is used as converted.
    fine_rate_min_hz: float = 30.0
    #: A phase's edge is where the sustained force has moved this share of the way: the effort
    #: starts 10 % down from the top of the hold to the minimum, the push-off 10 % up to its peak.
    phase_edge_frac: float = 0.1

    # --- transients (docs/measurement.md: what is not the minimum) -----------------------------
    #: Dips at least this deep are transients to consider: more than tremor and noise make.
    dip_min_kg: float = 0.8
    #: ...measured against the force within this time either side, not against the hold or the
    #: push-off seconds away (which would make every dip at the minimum look enormous)...
    dip_context_s: float = 0.5
    #: ...and narrower than this at half depth: a hand shifting (under 0.3 s) is ~0.15 s wide
    #: there easing in and out, ~0.25 s coming off abruptly; an effort's V is far wider.
    dip_max_halfwidth_s: float = 0.25
    #: A cut reaches at most this far either side of a dip's tip: half the longest hand shift.
    dip_reach_s: float = 0.15
    #: A dip on the effort's V is measured against the line the force either side makes, from
    #: spans up to this long either side of its tip left out: half a shift and the filter's smear.
    dip_line_span_s: float = 0.2
    #: A dip is cut out where it is deeper than this share of its depth: its shallow flanks are
    #: force the hands sustained, and the fill's nearest context.
    dip_cut_depth: float = 0.3
    #: A dip riding on a wider minimum counts when deeper than ``dip_min_kg`` plus this many
    #: times the misfit of the line it is measured against (a three-sigma test).
    dip_misfit_sigmas: float = 3.0
    #: A cut dip is filled by a line fitted to the force this long either side: long enough to
    #: average tremor and noise, short enough that the effort's curvature does not bend it.
    fill_context_s: float = 0.3
    #: ...taken from the nearest force not in another dip, up to this far away (a catch is often
    #: followed by a trough, which is kept out of the fill's context).
    fill_reach_s: float = 0.6
    #: A shallower dip starting within this many of a cut's widths after it is the trough as the
    #: hand's catch settles: force the hands sustain, not a second shift (one hand at a time).
    catch_trough_widths: float = 2.0

    # --- push-off, release and holes -----------------------------------------------------------
    #: A push-off raises the sustained force after the minimum by at least this much...
    push_rise_kg: float = 1.5
    #: ...and by this share of the fall from the hold: a push-off lifts the body, a wobble in a
    #: slow unassisted lift-off does not...
    push_rise_frac: float = 0.15
    #: ...and by this share of the level it rises from: a hold's slow sway moves the force by up
    #: to ~6 %, and a strong athlete may lift off straight from a swaying hold...
    push_rise_level_frac: float = 0.08
    #: ...and the hands leave within this long after the force is last back at that level (a
    #: release is brisk, a lift-off's fall is not); a hole this near the end may hide a push-off.
    release_max_s: float = 0.5
    #: A hole explained by the fall before it (continued across it, the force after it is where
    #: the fall leads) hides no push-off; "where it leads" allows this share of the fall.
    hole_fall_frac: float = 0.2
    #: A hand shift this close to the minimum's window may have moved the number (its fill and
    #: its catch reach that far): the rep says so, and the athlete can keep the hands still.
    hands_moved_near_s: float = 0.3
    #: The live effort starts when the running 0.3 s force has fallen from its top by this share
    #: of it (or ``push_rise_kg``): more than a hold's sway.
    live_effort_drop_frac: float = 0.1

    # --- sessions ------------------------------------------------------------------------------
    #: Reps further apart than this (end to start) are in different sets: reps within a set come
    #: every 10-20 s, rests between sets last minutes.
    set_gap_s: float = 45.0
