import { createHash } from 'node:crypto';
import type { Part, PreparedData } from '../data/types.js';
import type { SharedPreparedData } from './types.js';

function sharedCopy(a: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

function isShared(a: Float32Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** True when the data is already a SharedPreparedData (every array in shared memory, with a key). */
export function isSharedData(data: PreparedData): data is SharedPreparedData {
  const parts = [data.train, data.validation, data.test];
  return (
    typeof (data as Partial<SharedPreparedData>).key === 'string' &&
    parts.every((p) => isShared(p.x) && isShared(p.y))
  );
}

/** SHA-256 over the prepared content: task, shapes, target scale and every array's bytes. */
export function preparedKey(data: PreparedData): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify([
      data.datasetHash,
      data.task,
      data.nFeatures,
      data.nOutputs,
      data.targetScale ?? null,
      data.train.n,
      data.validation.n,
      data.test.n,
    ]),
  );
  for (const p of [data.train, data.validation, data.test]) {
    for (const a of [p.x, p.y]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

/**
 * Copies PreparedData into SharedArrayBuffers once, on the main thread, so that every task
 * posted to any worker shares the same memory instead of cloning the dataset.
 */
export function toShared(data: PreparedData): SharedPreparedData {
  if (isSharedData(data)) return data;
  const part = (p: Part): Part => ({ x: sharedCopy(p.x), y: sharedCopy(p.y), n: p.n });
  return {
    task: data.task,
    nFeatures: data.nFeatures,
    nOutputs: data.nOutputs,
    ...(data.targetScale ? { targetScale: { ...data.targetScale } } : {}),
    train: part(data.train),
    validation: part(data.validation),
    test: part(data.test),
    datasetHash: data.datasetHash,
    key: preparedKey(data),
  };
}
