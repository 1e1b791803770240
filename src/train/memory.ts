import type { PreparedData } from '../data/types.js';
import { LockstepError } from '../errors.js';
import { currentWasmBackend } from './direct.js';
import { PREDICT_BATCH } from './mlp.js';
import { flatLayout } from './step.js';
import type { MlpParams } from './types.js';

/** What a trial's memory depends on besides its parameters: the prepared data's shape. */
export interface DataShape {
  nFeatures: number;
  nOutputs: number;
  /** Rows of the training part (the permutation, and the batch when it is larger). */
  trainRows: number;
  /** Rows of the validation part (predicted after every epoch). */
  validationRows: number;
  /** One-hot targets for multiclass: nOutputs values per row instead of 1. */
  multiclass: boolean;
}

const MIB = 1024 * 1024;

/** The shape of prepared data. */
export function dataShape(data: PreparedData): DataShape {
  return {
    nFeatures: data.nFeatures,
    nOutputs: data.nOutputs,
    trainRows: data.train.n,
    validationRows: data.validation.n,
    multiclass: data.task === 'multiclass',
  };
}

/**
 * Copies of the parameters a trial holds at its peak: in wasm memory the parameters, the optimizer's two
 * slots, the model's weights, the direct step's flat gradient and its 15 other parameter-sized buffers, every
 * layer's Wᵀ, and transients of the initialisation (measured: 24.8 with sgd, 26.8 with adam and rmsprop); in
 * the JS heap the initial values and the weights read for the hash. Rounded up.
 */
const PARAM_COPIES = 32;

/** A margin over the per-row buffers, for what the estimate leaves out (the allocator's headers, scalars). */
const MARGIN = 1.25;

/**
 * An upper estimate, in bytes, of the memory one MLP trial allocates (wasm memory and typed arrays), from its
 * parameters and the data's shape alone — a pure function, so that the same trials exceed a given limit on
 * every machine. What the worker holds before the trial (tfjs, the backend, the shared dataset) is not in it.
 *
 * float32 values: {@link PARAM_COPIES} × the parameter count; per batch row the step's buffers (the input, the
 * target, 3 per output, 6 per unit and 1 per input of each layer, 7 more per input of the layers above the
 * first, and the dropout masks); per predicted row (up to {@link PREDICT_BATCH} at a time) the input and 3 per
 * unit; the epoch's permutation and the validation outputs. Checked against the measured peak of the wasm heap
 * in test/train/memory.test.ts.
 */
export function trialMemoryBytes(params: MlpParams, shape: DataShape): number {
  const { nFeatures: f, nOutputs: o } = shape;
  const size = flatLayout(f, params, o).size;
  const widths = [f, ...params.units, o];
  let stepRow = f + (shape.multiclass ? o : 1) + 3 * o;
  let predictRow = f;
  for (let l = 1; l < widths.length; l++) {
    const fanIn = widths[l - 1]!;
    const fanOut = widths[l]!;
    stepRow += 6 * fanOut + fanIn + (l > 1 ? 7 * fanIn : 0);
    predictRow += 3 * fanOut;
  }
  // The batch gathered on the JS side, and the dropout masks.
  stepRow += f + 2 + (params.dropout > 0 ? params.units.reduce((a, b) => a + b, 0) : 0);
  const rows = Math.min(params.batchSize, Math.max(1, shape.trainRows));
  const predictRows = Math.min(PREDICT_BATCH, shape.validationRows);
  const perRow = rows * stepRow + predictRows * predictRow + shape.trainRows + shape.validationRows * o;
  return Math.ceil(4 * (PARAM_COPIES * size + MARGIN * perRow));
}

/** The memory limit's error: a trial that would need more than worker_memory_mb. The environment's failure. */
export class MemoryLimitError extends LockstepError {
  readonly neededBytes: number;
  readonly limitMb: number;
  constructor(message: string, neededBytes: number, limitMb: number) {
    super('E_MEMORY', message);
    this.name = 'MemoryLimitError';
    this.neededBytes = neededBytes;
    this.limitMb = limitMb;
  }
}

function mib(bytes: number): string {
  return Math.ceil(bytes / MIB).toLocaleString('en-US');
}

/**
 * Refuses a trial whose estimated memory ({@link trialMemoryBytes}) exceeds `limitMb` MiB, before anything is
 * allocated.
 *
 * @throws MemoryLimitError naming the estimate, the parameter count and the limit.
 */
export function checkTrialMemory(params: MlpParams, shape: DataShape, limitMb: number): void {
  const needed = trialMemoryBytes(params, shape);
  if (needed <= limitMb * MIB) return;
  const size = flatLayout(shape.nFeatures, params, shape.nOutputs).size;
  throw new MemoryLimitError(
    `the trial needs an estimated ${mib(needed)} MiB (${size.toLocaleString('en-US')} parameters, batch_size ${params.batchSize}), more than worker_memory_mb (${limitMb} MiB); it was not run`,
    needed,
    limitMb,
  );
}

interface WasmMalloc {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/**
 * Bounds the wasm backend's memory in this thread (a worker's), which the thread's JS heap limit does not
 * cover: every allocation through the module's malloc (every tensor and the trainer's buffers) whose end lies
 * more than `limitBytes` above the heap's end when the guard was installed calls `exceeded` at once — before
 * anything is written to it, so the pages the memory grew by are never touched — and `check()` calls it when
 * the memory itself has grown past that bound (allocations inside the kernels), allowing for Emscripten's
 * growth step (up to 20 % over the size asked). `exceeded` must not return normally (a worker ends its thread).
 *
 * Returns undefined when the current backend is not wasm.
 */
export function guardWasmMemory(
  limitBytes: number,
  exceeded: (bytes: number) => never,
): { check(): void } | undefined {
  const m = currentWasmBackend()?.wasm as (WasmMalloc & { HEAPU8: Uint8Array }) | undefined;
  if (m === undefined) return undefined;
  // Emscripten binds `_malloc` lazily: its first call replaces the property with the raw export, which would
  // drop a wrapper installed before it. One call first binds it.
  m._free(m._malloc(16));
  const malloc = m._malloc;
  const probe = m._malloc(16) >>> 0;
  m._free(probe);
  const ceiling = probe + limitBytes;
  const grownCeiling = Math.max(m.HEAPU8.buffer.byteLength, ceiling) * 1.25;
  m._malloc = (bytes: number) => {
    const ptr = malloc(bytes);
    if ((ptr >>> 0) + bytes > ceiling) exceeded((ptr >>> 0) + bytes - probe);
    return ptr;
  };
  return {
    check() {
      const bytes = m.HEAPU8.buffer.byteLength;
      if (bytes > grownCeiling) exceeded(bytes);
    },
  };
}
