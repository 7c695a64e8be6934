// Canvas charts: the live trace, a session's trace with its reps, and the progress chart.
//
// Why our own code and not a charting library: three simple line charts need a few hundred lines
// of canvas drawing. A library would mean shipping and pinning someone else's megabytes, a build
// step (npm) that the Pi should never need, a CDN the offline appliance cannot reach, and
// updates to chase for years. What we draw here we can read, test and change in one place.

const COLORS = {
  grid: "#333a40",
  axisText: "#b8c0c8",
  force: "#4fc3f7",
  runningMin: "#ffd54f",
  target: "#69f0ae",
  repShade: "rgba(255, 213, 79, 0.16)",
  minMark: "#ffd54f",
  // A session trace's phases (docs/measurement.md), the minimum's 0.3 s and what was ignored.
  holdShade: "rgba(184, 192, 200, 0.12)",
  effortShade: "rgba(255, 213, 79, 0.22)",
  pushShade: "rgba(105, 240, 174, 0.16)",
  minWindow: "#ff5252",
  ignored: { hand_shift: "#ea80fc", glitch: "#ff9100", lost_data: "#90a4ae" },
  progress: "#69f0ae",
  trend: "#4fc3f7",
  forecastBand: "rgba(79, 195, 247, 0.16)",
};
const FONT = "13px system-ui, sans-serif";
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

/** Size the backing store to the element's CSS size times the pixel ratio; returns a plot box. */
function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  const box = {
    x: PAD.left,
    y: PAD.top,
    w: Math.max(1, width - PAD.left - PAD.right),
    h: Math.max(1, height - PAD.top - PAD.bottom),
  };
  return { ctx, box };
}

/** About `count` round tick values (1, 2, 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo, hi, count = 4) {
  const span = hi - lo || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

/** A y range that always shows zero and at least `minSpan`, with a little headroom. */
function yRange(values, minSpan) {
  let lo = 0;
  let hi = minSpan;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi: hi + (hi - lo) * 0.08 };
}

function scales(box, x, y) {
  return {
    sx: (v) => box.x + ((v - x.lo) / (x.hi - x.lo || 1)) * box.w,
    sy: (v) => box.y + box.h - ((v - y.lo) / (y.hi - y.lo || 1)) * box.h,
  };
}

function drawYAxis(ctx, box, y, sy) {
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.axisText;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const tick of niceTicks(y.lo, y.hi)) {
    const py = Math.round(sy(tick)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(box.x, py);
    ctx.lineTo(box.x + box.w, py);
    ctx.stroke();
    ctx.fillText(String(Number(tick.toPrecision(6))), box.x - 6, py);
  }
}

function drawXLabels(ctx, box, labels) {
  ctx.fillStyle = COLORS.axisText;
  ctx.textBaseline = "top";
  for (const { px, text, align } of labels) {
    ctx.textAlign = align || "center";
    ctx.fillText(text, px, box.y + box.h + 5);
  }
}

/** One polyline; a jump in x larger than `gap` lifts the pen (lost samples, a reconnect). */
function drawLine(ctx, xs, ys, sx, sy, gap, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.lineJoin = "round";
  ctx.beginPath();
  for (let i = 0; i < xs.length; i++) {
    const px = sx(xs[i]);
    const py = sy(ys[i]);
    if (i === 0 || xs[i] - xs[i - 1] > gap) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();
}

function drawHorizontal(ctx, box, py, color) {
  ctx.save();
  ctx.strokeStyle = color;
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(box.x, py);
  ctx.lineTo(box.x + box.w, py);
  ctx.stroke();
  ctx.restore();
}

function drawEmpty(ctx, box, text) {
  ctx.fillStyle = COLORS.axisText;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, box.x + box.w / 2, box.y + box.h / 2);
}

/**
 * The last `windowS` seconds of force. `points` are [t_ns, kg] pairs, oldest first; `convert`
 * turns kg into the display unit. `runningMin`: [t_ns, kg] pairs of the effort's running minimum
 * (drawn as its own line, lifted between efforts); `target` (kg or null): the target, a dashed
 * line. With no points it writes `emptyText` ("waiting for the sensor…", "no connection") and
 * returns it, so the page can say it to a screen reader too; else returns "".
 */
export function drawLiveTrace(canvas, points, { windowS, convert, runningMin = [], target = null, emptyText }) {
  const { ctx, box } = prepare(canvas);
  if (points.length === 0) {
    drawEmpty(ctx, box, emptyText);
    return emptyText;
  }
  const newest = points[points.length - 1][0];
  const xs = points.map(([t]) => (t - newest) / 1e9);
  const ys = points.map(([, kg]) => convert(kg));
  const x = { lo: -windowS, hi: 0 };
  const y = yRange(target === null ? ys : [...ys, convert(target)], convert(10));
  const { sx, sy } = scales(box, x, y);
  drawYAxis(ctx, box, y, sy);
  const labels = niceTicks(-windowS, 0, 4).map((s) => ({ px: sx(s), text: `${s} s` }));
  drawXLabels(ctx, box, labels.filter(({ px }) => px > box.x + 10));
  if (target !== null) {
    const py = sy(convert(target));
    drawHorizontal(ctx, box, py, COLORS.target);
    ctx.fillStyle = COLORS.target;
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillText("target", box.x + 4, py - 3);
  }
  drawLine(ctx, xs, ys, sx, sy, 0.5, COLORS.force);
  const shown = runningMin.filter(([t]) => t >= newest - windowS * 1e9);
  if (shown.length) {
    ctx.save();
    drawLine(
      ctx,
      shown.map(([t]) => (t - newest) / 1e9),
      shown.map(([, kg]) => convert(kg)),
      sx,
      sy,
      0.5,
      COLORS.runningMin,
    );
    ctx.restore();
  }
  return "";
}

/** Minutes:seconds, for a session's time axis. */
function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}:${String(s).padStart(2, "0")}`;
}

/**
 * A whole session (`GET /api/sessions/{id}/trace`): each rep's phases shaded (landing and hold,
 * effort, push-off and release), its minimum marked with the 0.3 s it was sustained over, and
 * the transients ignored inside its effort drawn along the bottom. Returns what was drawn where,
 * for the page to describe and the tests to find: `plot`, the plot area and the seconds it spans
 * (`{x, y, w, h, tLo, tHi}`, CSS pixels of the canvas), and `reps`, per rep its marks
 * `{kind, startS, endS, x0, x1, y}` (`y` only for the minimum's window). A rep stored before the
 * detector said where its number came from is shaded whole.
 */
export function drawSessionTrace(canvas, trace, { convert }) {
  const { ctx, box } = prepare(canvas);
  const xs = trace.t_s;
  if (xs.length === 0) {
    drawEmpty(ctx, box, "no samples recorded");
    return { plot: { ...box, tLo: 0, tHi: 0 }, reps: [] };
  }
  const ys = trace.force_kg.map(convert);
  const x = { lo: xs[0], hi: Math.max(xs[xs.length - 1], xs[0] + 1) };
  const y = yRange(ys, convert(10));
  const { sx, sy } = scales(box, x, y);
  const drawn = trace.reps.map((rep) => ({ number: rep.number, marks: repMarks(rep) }));
  for (const { marks } of drawn) {
    for (const mark of marks) {
      mark.x0 = sx(mark.startS);
      mark.x1 = sx(mark.endS);
      const shade = PHASE_SHADES[mark.kind];
      if (shade) {
        ctx.fillStyle = shade;
        ctx.fillRect(mark.x0, box.y, mark.x1 - mark.x0, box.h);
      }
    }
  }
  drawYAxis(ctx, box, y, sy);
  const ticks = niceTicks(x.lo / 60, x.hi / 60, 4).map((m) => m * 60);
  drawXLabels(ctx, box, ticks.map((s) => ({ px: sx(s), text: clock(s) })));
  // Samples far apart in time were not recorded in between: do not draw a line across.
  const gap = Math.max(2, ((x.hi - x.lo) / Math.max(xs.length, 1)) * 20);
  drawLine(ctx, xs, ys, sx, sy, gap, COLORS.force);
  trace.reps.forEach((rep, index) => {
    const py = sy(convert(rep.min_assistance_kg));
    for (const mark of drawn[index].marks) {
      if (mark.kind === "min_window") {
        mark.y = py;
        ctx.fillStyle = COLORS.minWindow;
        ctx.fillRect(mark.x0, py - 2, Math.max(mark.x1 - mark.x0, 2), 4);
      } else if (mark.kind in COLORS.ignored) {
        ctx.fillStyle = COLORS.ignored[mark.kind];
        ctx.fillRect(mark.x0, box.y + box.h - 6, Math.max(mark.x1 - mark.x0, 2), 6);
      }
    }
    drawMinMark(ctx, sx(rep.min_at_s), py);
  });
  return { plot: { ...box, tLo: x.lo, tHi: x.hi }, reps: drawn };
}

const PHASE_SHADES = {
  rep: COLORS.repShade,
  hold: COLORS.holdShade,
  effort: COLORS.effortShade,
  push_off: COLORS.pushShade,
};

/** A rep's spans in seconds: its phases, its minimum's window and what was ignored. */
export function repMarks(rep) {
  if (rep.effort_start_s === null || rep.effort_start_s === undefined) {
    return [{ kind: "rep", startS: rep.start_s, endS: rep.end_s }];
  }
  const push = rep.push_off_start_s ?? rep.end_s;
  const marks = [
    { kind: "hold", startS: rep.start_s, endS: rep.effort_start_s },
    { kind: "effort", startS: rep.effort_start_s, endS: push },
  ];
  if (push < rep.end_s) marks.push({ kind: "push_off", startS: push, endS: rep.end_s });
  if (rep.min_window_s) {
    marks.push({ kind: "min_window", startS: rep.min_window_s[0], endS: rep.min_window_s[1] });
  }
  for (const span of rep.ignored || []) {
    marks.push({ kind: span.kind, startS: span.start_s, endS: span.end_s });
  }
  return marks;
}

/** A downward triangle whose tip sits on the minimum: above the trace, clear of the axis. */
function drawMinMark(ctx, px, py) {
  ctx.fillStyle = COLORS.minMark;
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(px, py - 1);
  ctx.lineTo(px - 7, py - 13);
  ctx.lineTo(px + 7, py - 13);
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
}

/**
 * Best minimum per session over calendar time (`GET /api/progress`, or an athlete's progress);
 * lower is better. With `trend` (Theil-Sen, from the server) a dashed line; with a `forecast`
 * of status "forecast" the range of dates it reaches zero, shaded, and the date marked on zero.
 */
export function drawProgress(canvas, points, { convert, trend = null, forecast = null }) {
  const { ctx, box } = prepare(canvas);
  const usable = points.filter((p) => p.best_min_kg !== null && p.best_min_kg !== undefined);
  if (usable.length === 0) {
    drawEmpty(ctx, box, "no reps recorded yet");
    return;
  }
  const xs = usable.map((p) => Date.parse(p.started_at));
  const ys = usable.map((p) => convert(p.best_min_kg));
  const day = 86400e3;
  const first = Math.min(...xs);
  const lastSession = Math.max(...xs);
  const x = { lo: first - day / 2, hi: lastSession + day / 2 };
  const dated = forecast && forecast.status === "forecast";
  if (dated) {
    // Show the forecast, but never let a far "latest" squash the sessions into a corner.
    const room = Math.max(lastSession - first, 28 * day) * 3;
    x.hi = Math.max(x.hi, Math.min(forecast.latest_unix * 1e3, lastSession + room) + day / 2);
  }
  const y = yRange(ys, convert(5));
  const { sx, sy } = scales(box, x, y);
  if (dated) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.w, box.h);
    ctx.clip();
    ctx.fillStyle = COLORS.forecastBand;
    const left = sx(forecast.earliest_unix * 1e3);
    ctx.fillRect(left, box.y, sx(forecast.latest_unix * 1e3) - left, box.h);
    ctx.restore();
  }
  drawYAxis(ctx, box, y, sy);
  if (trend) drawTrend(ctx, box, trend, x, sx, sy, convert);
  if (dated) drawMinMark(ctx, sx(forecast.date_unix * 1e3), sy(0));
  const firstLabel = shortDate(x.lo + day / 2);
  const lastLabel = shortDate(x.hi - day / 2);
  const labels = [{ px: box.x, text: firstLabel, align: "left" }];
  if (lastLabel !== firstLabel) labels.push({ px: box.x + box.w, text: lastLabel, align: "right" });
  drawXLabels(ctx, box, labels);
  drawLine(ctx, xs, ys, sx, sy, Infinity, COLORS.progress);
  ctx.fillStyle = COLORS.progress;
  for (let i = 0; i < xs.length; i++) {
    ctx.beginPath();
    ctx.arc(sx(xs[i]), sy(ys[i]), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** The Theil-Sen line through the median session, from the first session to the right edge. */
function drawTrend(ctx, box, trend, x, sx, sy, convert) {
  const kgAt = (ms) => trend.median_kg + trend.slope_kg_per_day * ((ms / 1e3 - trend.origin_unix) / 86400 - trend.median_day);
  const from = trend.origin_unix * 1e3;
  const to = x.hi;
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.w, box.h);
  ctx.clip();
  ctx.strokeStyle = COLORS.trend;
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(sx(from), sy(convert(kgAt(from))));
  ctx.lineTo(sx(to), sy(convert(kgAt(to))));
  ctx.stroke();
  ctx.restore();
}

function shortDate(ms) {
  return new Date(ms).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}
