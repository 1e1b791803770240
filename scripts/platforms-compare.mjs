/**
 * The comparison behind `npm run test:platforms` (scripts/platforms.mjs): which studies got one digest on
 * every platform, the table of studies × platforms, and the first record where two platforms' ledgers part.
 * Pure functions of their arguments, so that test/platforms/harness.test.ts can check them without running
 * a study.
 */

/** The first 12 hex characters of a digest, as the table shows it. */
export function shortDigest(digest) {
  return digest.slice(0, 12);
}

/**
 * Compares one study's outcomes across platforms.
 *
 * @param {string[]} platforms the platforms in table order; the first one that succeeded is the reference.
 * @param {Record<string, { digest?: string, error?: string } | undefined>} outcomes by platform name.
 * @returns {{ ok: boolean, status: 'same' | 'differs' | 'failed', reference: string | null,
 *   groups: { digest: string, platforms: string[] }[], failed: string[], missing: string[] }}
 *   `groups`: the distinct digests, the reference's first, each with the platforms that gave it.
 *   `ok` only when every platform ran and all gave one digest. `failed` wins over `differs` as status.
 */
export function compareStudy(platforms, outcomes) {
  const groups = [];
  const failed = [];
  const missing = [];
  let reference = null;
  for (const p of platforms) {
    const o = outcomes[p];
    if (o === undefined) {
      missing.push(p);
      continue;
    }
    if (typeof o.digest !== 'string' || o.error !== undefined) {
      failed.push(p);
      continue;
    }
    reference ??= p;
    const g = groups.find((x) => x.digest === o.digest);
    if (g) g.platforms.push(p);
    else groups.push({ digest: o.digest, platforms: [p] });
  }
  const status = failed.length > 0 || missing.length > 0 ? 'failed' : groups.length > 1 ? 'differs' : 'same';
  return { ok: status === 'same' && groups.length === 1, status, reference, groups, failed, missing };
}

/**
 * Compares every study. `results`: study name → platform name → outcome.
 * @returns {{ ok: boolean, studies: (ReturnType<typeof compareStudy> & { study: string })[] }}
 */
export function compareAll(platforms, results) {
  const studies = Object.keys(results).map((study) => ({
    study,
    ...compareStudy(platforms, results[study]),
  }));
  return { ok: studies.length > 0 && studies.every((s) => s.ok), studies };
}

function pad(s, n) {
  return s + ' '.repeat(Math.max(0, n - s.length));
}

function renderTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => pad(c, widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The table of studies × platforms: each cell the digest's first 12 hex characters, followed by ` *` where
 * it is not the reference's (the row's first successful platform), `FAILED` where the run failed and `-`
 * where it did not run; the last column says `same`, `DIFFERS` or `FAILED`.
 */
export function digestTable(platforms, results, comparison = compareAll(platforms, results)) {
  const rows = comparison.studies.map((c) => {
    const ref = c.groups[0]?.digest;
    const cells = platforms.map((p) => {
      const o = results[c.study][p];
      if (o === undefined) return '-';
      if (typeof o.digest !== 'string' || o.error !== undefined) return 'FAILED';
      return shortDigest(o.digest) + (o.digest === ref ? '' : ' *');
    });
    return [c.study, ...cells, c.status === 'same' ? 'same' : c.status === 'differs' ? 'DIFFERS' : 'FAILED'];
  });
  return renderTable(['study', ...platforms, 'verdict'], rows);
}

/** The table of wall times (seconds, one decimal) per study and platform, with a total row. */
export function timeTable(platforms, results) {
  const totals = platforms.map(() => 0);
  const rows = Object.keys(results).map((study) => [
    study,
    ...platforms.map((p, i) => {
      const s = results[study][p]?.seconds;
      if (typeof s !== 'number') return '-';
      totals[i] += s;
      return s.toFixed(1);
    }),
  ]);
  rows.push(['total', ...totals.map((t) => t.toFixed(1))]);
  return renderTable(['seconds', ...platforms], rows);
}

// ---------------------------------------------------------------------------------------------------------
// Where two ledgers of the same study part.

/** The study record's environment fields that the digest covers (src/ledger/digest.ts); the rest are facts. */
const DIGESTED_ENVIRONMENT = ['lockstep', 'numeric', 'backend', 'backendVersion'];
const ORDER = { study: 0, 'trial.started': 1, 'trial.progress': 2, 'trial.finished': 3, refit: 4 };

/**
 * The deterministic records of a ledger (JSON lines), keyed and sorted: the study record (its
 * environment cut to the digested fields), then per trial index its start, progress by epoch and finish,
 * then the refit. Left out: the chain fields (`v`, `seq`, `prev`), `trial.meta` (wall times, workers) and
 * notes. A later record under the same key (a retried trial) replaces the earlier one.
 */
export function deterministicRecords(ledgerText) {
  const byKey = new Map();
  for (const line of ledgerText.split('\n')) {
    if (line.trim() === '') continue;
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      continue; // a torn last line: the engine drops it too
    }
    if (!(r.type in ORDER)) continue;
    const { v: _v, seq: _s, prev: _p, ...rest } = r;
    if (r.type === 'study' && rest.study?.environment) {
      const env = rest.study.environment;
      rest.study = {
        ...rest.study,
        environment: Object.fromEntries(DIGESTED_ENVIRONMENT.filter((k) => k in env).map((k) => [k, env[k]])),
      };
    }
    const index = typeof r.index === 'number' ? r.index : -1;
    const epoch = typeof r.epoch === 'number' ? r.epoch : 0;
    const key =
      r.type === 'study' || r.type === 'refit'
        ? r.type
        : r.type === 'trial.progress'
          ? `trial ${index} epoch ${epoch}`
          : `trial ${index} ${r.type.slice('trial.'.length)}`;
    byKey.set(key, {
      key,
      sort: [ORDER[r.type] === 0 ? -1 : r.type === 'refit' ? Infinity : index, ORDER[r.type], epoch],
      record: rest,
    });
  }
  return [...byKey.values()].sort(bySort);
}

function bySort(x, y) {
  for (let i = 0; i < 3; i++) if (x.sort[i] !== y.sort[i]) return x.sort[i] < y.sort[i] ? -1 : 1;
  return 0;
}

/** The first leaf (dotted path) where two JSON values differ, with both values; null when equal. */
export function firstLeafDifference(a, b, path = '') {
  if (a === b) return null;
  const isObj = (x) => x !== null && typeof x === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a)
      ? [...Array(Math.max(a.length, b.length)).keys()].map(String)
      : [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstLeafDifference(a[k], b[k], path === '' ? k : `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return { path, a: a === undefined ? '(absent)' : a, b: b === undefined ? '(absent)' : b };
}

/**
 * The first deterministic record where two ledgers of one study differ, in trial order:
 * `{ record, path, a, b }` (e.g. `trial 10 started`, `params.dropout`, 0.006782032846056996,
 * 0.006782032846057023), or null when their deterministic records are the same.
 */
export function firstDifference(ledgerA, ledgerB) {
  const a = deterministicRecords(ledgerA);
  const b = deterministicRecords(ledgerB);
  const bByKey = new Map(b.map((x) => [x.key, x]));
  const aKeys = new Set(a.map((x) => x.key));
  const all = [...a, ...b.filter((x) => !aKeys.has(x.key))].sort(bySort);
  const aByKey = new Map(a.map((x) => [x.key, x]));
  for (const { key } of all) {
    const ra = aByKey.get(key)?.record;
    const rb = bByKey.get(key)?.record;
    if (ra === undefined || rb === undefined) {
      return {
        record: key,
        path: '',
        a: ra === undefined ? '(absent)' : 'present',
        b: rb === undefined ? '(absent)' : 'present',
      };
    }
    const d = firstLeafDifference(ra, rb);
    if (d) return { record: key, ...d };
  }
  return null;
}

/** One line for a difference found by {@link firstDifference}. */
export function describeDifference(d) {
  if (d === null) return 'no deterministic record differs (the digest covers something else?)';
  const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
  return `first difference at ${d.record}${d.path === '' ? '' : ` ${d.path}`}: ${show(d.a)} vs ${show(d.b)}`;
}
