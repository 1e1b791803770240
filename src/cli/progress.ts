/** A one-line progress display on a TTY (stderr); silent elsewhere. */
export class ProgressLine {
  private readonly tty: boolean;
  private readonly t0 = performance.now(); // timing only
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
  }

  update(done: number, total: number, best: number | null, extra = ''): void {
    if (!this.tty) return;
    const elapsed = (performance.now() - this.t0) / 1000;
    const eta = done > 0 ? ((total - done) * elapsed) / done : Number.NaN;
    const bar = (() => {
      const w = 20;
      const k = total > 0 ? Math.round((w * done) / total) : 0;
      return `[${'#'.repeat(k)}${'.'.repeat(w - k)}]`;
    })();
    const line = `${bar} ${done}/${total} trials  best ${best === null ? '—' : best.toPrecision(5)}  ${fmt(elapsed)} elapsed  ETA ${Number.isFinite(eta) ? fmt(eta) : '—'}${extra ? `  ${extra}` : ''}`;
    this.last = line;
    this.stream.write(`\r\x1b[K${line}`);
  }

  done(): void {
    if (this.tty && this.last !== '') this.stream.write('\n');
  }
}

function fmt(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
