export interface ProgressOptions {
  /** The clock in milliseconds (timing only; tests pass their own). */
  now?: () => number;
  /**
   * When the stream is not a terminal: a plain progress line every this many seconds (0: none).
   * Default: the environment's LOCKSTEP_PROGRESS_S, else 10.
   */
  intervalS?: number;
}

const DEFAULT_INTERVAL_S = 10;
/** The width assumed for a terminal that does not say its own. */
const DEFAULT_COLUMNS = 80;

interface Shown {
  done: number;
  total: number;
  best: number | null;
  extra: string;
}

/**
 * Progress of a run of trials, on stderr. On a terminal, one line rewritten in place and cut to the
 * terminal's width (read at each update, so a resize is followed). Elsewhere (a pipe, a log file), a plain
 * line every few seconds, so that a long run in CI is not silent.
 *
 * The rate counts only the trials finished in this run: after a resume the first update says, e.g., 21 of
 * 30, but one trial took all the time so far; the ETA is the trials left at that rate.
 */
export class ProgressLine {
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly t0: number;
  /** Trials finished before this run: the first update's count less the one that caused it. */
  private doneBefore: number | undefined;
  private latest: Shown | undefined;
  private lineOpen = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    options: ProgressOptions = {},
  ) {
    this.tty = stream.isTTY === true;
    this.now = options.now ?? (() => performance.now()); // timing only
    this.t0 = this.now();
    if (!this.tty) {
      const s = options.intervalS ?? intervalFromEnv();
      if (s > 0) {
        this.timer = setInterval(() => this.plainLine(), s * 1000);
        this.timer.unref();
      }
    }
  }

  update(done: number, total: number, best: number | null, extra = ''): void {
    this.doneBefore ??= Math.max(0, done - 1);
    this.latest = { done, total, best, extra };
    if (!this.tty) return;
    const columns = this.stream.columns > 0 ? this.stream.columns : DEFAULT_COLUMNS;
    // One column short of the width: a line that fills it exactly wraps on some terminals.
    this.write(`\r\x1b[K${widest(this.variants(this.latest), columns - 1)}`);
    this.lineOpen = true;
  }

  done(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.lineOpen) this.write('\n');
    this.lineOpen = false;
  }

  private write(text: string): void {
    if (this.stream.destroyed === true) return; // a reader that went away (see main.ts)
    this.stream.write(text);
  }

  private elapsedS(): number {
    return (this.now() - this.t0) / 1000;
  }

  /** The counts, best, elapsed time and ETA of `s`. */
  private fields(s: Shown): { count: string; best: string; elapsed: string; eta: string } {
    const elapsed = this.elapsedS();
    const ranHere = s.done - (this.doneBefore ?? 0);
    const eta = s.done >= s.total ? 0 : ranHere > 0 ? ((s.total - s.done) * elapsed) / ranHere : Number.NaN;
    return {
      count: `${s.done}/${s.total}`,
      best: `best ${s.best === null ? '—' : s.best.toPrecision(5)}`,
      elapsed: `${fmt(elapsed)} elapsed`,
      eta: `ETA ${Number.isFinite(eta) ? fmt(eta) : '—'}`,
    };
  }

  /** The line from the most informative to the shortest; the first that fits is shown. */
  private variants(s: Shown): string[] {
    const f = this.fields(s);
    const all = `${f.count} trials  ${f.best}  ${f.elapsed}  ${f.eta}`;
    const bar = (w: number) => {
      const k = s.total > 0 ? Math.min(w, Math.round((w * s.done) / s.total)) : 0;
      return `[${'#'.repeat(k)}${'.'.repeat(w - k)}]`;
    };
    return [
      ...(s.extra ? [`${bar(20)} ${all}  ${s.extra}`] : []),
      `${bar(20)} ${all}`,
      `${bar(10)} ${all}`,
      all,
      `${f.count}  ${f.best}  ${f.eta}`,
      `${f.count}  ${f.eta}`,
    ];
  }

  private plainLine(): void {
    const s = this.latest;
    if (s === undefined) {
      this.write(`lockstep: progress waiting for the first trial, ${fmt(this.elapsedS())} elapsed\n`);
      return;
    }
    const f = this.fields(s);
    this.write(`lockstep: progress ${f.count} trials  ${f.best}  ${f.elapsed}  ${f.eta}\n`);
  }
}

/** The first of `variants` that fits in `width` columns, else the last one cut to it. */
function widest(variants: string[], width: number): string {
  const w = Math.max(1, width);
  const shortest = variants.at(-1)!;
  return variants.find((v) => v.length <= w) ?? shortest.slice(0, w);
}

function intervalFromEnv(): number {
  const s = Number(process.env.LOCKSTEP_PROGRESS_S ?? DEFAULT_INTERVAL_S);
  return Number.isFinite(s) && s >= 0 ? s : DEFAULT_INTERVAL_S;
}

/** Seconds as `42s`, `3m07s` or `2h05m`. */
function fmt(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
