import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { encodeMetrics, encodeNumber } from './records.js';
import type { StudyState, TrialState } from './types.js';

/** Names the digest's layout; bump it if the digested content changes. */
const DIGEST_FORMAT = 'lockstep-digest-1';

/**
 * The study's digest: SHA-256 (hex) of the canonical JSON of its deterministic content —
 * the study's identity (key, seed, config hash, dataset hash, preprocessing, engine and
 * numeric backend), every finished trial in index order, and the refit.
 *
 * Left out, so that the digest is the same however the study was run: the order records
 * were appended in, running trials and trials that failed because of the environment (a
 * resume retries them), wall times, workers, notes, Node version, platform and CPU.
 */
export function studyDigest(state: StudyState): string {
  return createHash('sha256')
    .update(canonicalJson(digestContent(state)))
    .digest('hex');
}

/** What {@link studyDigest} hashes, for inspection and for diffing two studies. */
export function digestContent(state: StudyState): unknown {
  const { study } = state;
  return {
    format: DIGEST_FORMAT,
    study: {
      key: study.key,
      seed: study.seed,
      configHash: study.configHash,
      datasetHash: study.dataset?.hash ?? null,
      preprocessing: study.preprocessing,
      lockstep: study.environment.lockstep,
      numeric: study.environment.numeric,
      backend: study.environment.backend,
      backendVersion: study.environment.backendVersion,
      ...(study.warmStart === undefined ? {} : { warmStart: study.warmStart.digest }),
    },
    trials: state.trials.filter(isDigested).map((t) => ({
      index: t.index,
      id: t.id,
      seed: t.seed,
      params: t.params,
      state: t.state,
      score: t.score === null ? null : encodeNumber(t.score),
      metrics: encodeMetrics(t.metrics),
      // Only a study with several objectives or constraints has them: a study with one objective digests only its score.
      ...(t.values === null ? {} : { values: t.values.map(encodeNumber) }),
      ...(t.constraints === null ? {} : { constraints: t.constraints.map(encodeNumber) }),
      epochs: t.epochs,
      weightsHash: t.weightsHash,
      error: t.cause === 'trial' ? t.error : null,
      progress: t.progress.map((p) => ({ epoch: p.epoch, metrics: encodeMetrics(p.metrics) })),
    })),
    refit: state.refit
      ? {
          ...state.refit,
          testMetrics: encodeMetrics(state.refit.testMetrics),
          testScore: encodeNumber(state.refit.testScore),
        }
      : null,
  };
}

/** A trial counts once it has finished for good: not running, not failed by the environment. */
function isDigested(t: TrialState): boolean {
  return t.state !== 'running' && t.cause !== 'environment';
}
