import type { layers as tflayers } from '@tensorflow/tfjs-layers';
import type { Task } from '../data/types.js';
import { LockstepError } from '../errors.js';
import { pow } from '../math/index.js';
import { currentWasmBackend, DirectForward, DirectStep } from './direct.js';
import { denseOp, PREDICT_BATCH } from './mlp.js';
import * as tf from './tf.js';
import type { Activation, FlatLayout, MlpParams } from './types.js';

export type { FlatLayout } from './types.js';

/**
 * One training step of the MLP in few tfjs kernels: a hand-written forward and backward pass
 * (the gradients of dense + activation + dropout + loss, instead of tf.grad's tape) and the
 * optimizer over ONE flat parameter buffer (all weights in model order, `[W1, b1, W2, b2, …]`),
 * so that Adam is a dozen kernels for the whole model instead of a dozen per variable.
 *
 * The batch gradient is accumulated unscaled and multiplied by 1/rows once, on the flat
 * gradient. Optimizer formulas follow tfjs's (Adam with bias-corrected moments, momentum SGD,
 * non-centred RMSprop with momentum), epsilon 1e-7.
 */
export function flatLayout(nFeatures: number, params: MlpParams, nOutputs: number): FlatLayout {
  const shapes: number[][] = [];
  const offsets: number[] = [];
  let fanIn = nFeatures;
  let size = 0;
  for (const fanOut of [...params.units, nOutputs]) {
    for (const shape of [[fanIn, fanOut], [fanOut]]) {
      shapes.push(shape);
      offsets.push(size);
      size += shape.reduce((a, b) => a * b, 1);
    }
    fanIn = fanOut;
  }
  return { shapes, offsets, size };
}

const EPSILON = 1e-7;
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473766;

/** The activation's derivative, from its output a = act(z) (every supported activation allows it). */
function derivative(activation: Activation, a: tf.Tensor2D): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.step(a);
    case 'elu':
      // a > 0: 1; a <= 0: a + 1 (= e^z), as (a − relu(a)) + 1: the direct path's kernels.
      return tf.add(tf.sub(a, tf.relu(a)), 1);
    case 'tanh':
      return tf.sub(1, tf.square(a));
    case 'sigmoid':
      return tf.mul(a, tf.sub(1, a));
    case 'selu':
      return tf.where(
        tf.greater(a, 0),
        tf.fill(a.shape, SELU_SCALE),
        tf.add(a, SELU_SCALE_ALPHA),
      ) as tf.Tensor2D;
    default: {
      const never: never = activation;
      throw new LockstepError('E_PARAM', `params.activation: unsupported activation ${String(never)}`);
    }
  }
}

/** The optimizer's state tensors and how it steps, over the flat buffer. */
interface OptimizerState {
  slots: tf.Tensor1D[];
}

export class FlatTrainer {
  readonly layout: FlatLayout;
  /** The flat parameters; replaced (not mutated) by every step. */
  theta: tf.Tensor1D;
  private state: OptimizerState;
  private t = 0;
  private readonly nLayers: number;
  private readonly scalars: Record<string, tf.Scalar>;
  /** The direct-kernel executor (wasm), made at the first stepArrays; null where there is none. */
  private direct: DirectStep | null | undefined;
  /** The direct-kernel forward pass (wasm), made at the first predictArrays; null where there is none. */
  private forwardExec: DirectForward | null | undefined;

  constructor(
    private readonly task: Task,
    private readonly params: MlpParams,
    private readonly nFeatures: number,
    private readonly nOutputs: number,
    initial: Float32Array,
  ) {
    this.layout = flatLayout(nFeatures, params, nOutputs);
    if (initial.length !== this.layout.size) {
      throw new LockstepError(
        'E_TRIAL',
        `flat parameters: expected ${this.layout.size} values, got ${initial.length}`,
      );
    }
    this.nLayers = params.units.length + 1;
    this.theta = tf.tensor1d(initial);
    const zeros = () => tf.zeros([this.layout.size]) as tf.Tensor1D;
    const slots =
      params.optimizer === 'adam'
        ? [zeros(), zeros()]
        : params.optimizer === 'rmsprop'
          ? [zeros(), zeros()]
          : params.momentum > 0
            ? [zeros()]
            : [];
    this.state = { slots };
    const lr = params.learningRate;
    this.scalars = {
      lr: tf.scalar(lr),
      negLr: tf.scalar(-lr),
      b1: tf.scalar(0.9),
      oneMinusB1: tf.scalar(1 - 0.9),
      b2: tf.scalar(0.999),
      oneMinusB2: tf.scalar(1 - 0.999),
      rho: tf.scalar(0.9),
      oneMinusRho: tf.scalar(1 - 0.9),
      momentum: tf.scalar(params.momentum),
      eps: tf.scalar(EPSILON),
      twoL2: tf.scalar(2 * params.l2),
    };
  }

  /**
   * The current flat parameters' values. On the wasm backend a view of theta's memory, without a copy: valid
   * until the next step (or anything that may grow wasm memory), so read at once. Elsewhere theta's data.
   */
  thetaValues(): Float32Array {
    if (this.direct !== null && this.direct !== undefined) {
      const v = this.direct.viewOf(this.theta, this.layout.size);
      if (v !== undefined) return v;
    }
    return this.theta.dataSync() as Float32Array;
  }

  /** Views of the flat parameters as the model's weights (tensors owned by the caller's scope). */
  weights(theta: tf.Tensor1D = this.theta): tf.Tensor[] {
    return this.layout.shapes.map((shape, i) =>
      tf.reshape(
        tf.slice(
          theta,
          this.layout.offsets[i]!,
          shape.reduce((a, b) => a * b, 1),
        ),
        shape,
      ),
    );
  }

  /**
   * One optimizer step on a batch; returns the output layer's values (logits or predictions,
   * rows × nOutputs) before the step, kept for the caller to read and dispose.
   *
   * `y` is the target as the loss needs it: 0/1 (binary), one-hot (multiclass), value (regression).
   * `masks[i]` multiplies hidden layer i's output (inverted dropout), when given.
   */
  step(x: tf.Tensor2D, y: tf.Tensor2D, masks: readonly tf.Tensor2D[] | undefined, rows: number): tf.Tensor2D {
    this.t++;
    const next = tf.tidy(() => {
      const { out, grad } = this.gradient(x, y, masks, rows);
      return { out, ...this.update(grad) };
    });
    this.theta.dispose();
    this.theta = next.theta;
    for (const s of this.state.slots) s.dispose();
    this.state = { slots: next.slots };
    return next.out;
  }

  /**
   * One optimizer step on a batch given as plain arrays (x: rows×nFeatures, y: rows×yWidth as the
   * loss needs it, masks[i]: rows×units[i] inverted-dropout multipliers or undefined). Returns the
   * output layer's values before the step (rows×nOutputs), valid until the next call (may be a view
   * into wasm memory: the caller reads it at once).
   *
   * The same bits as `step()` on tensors of these arrays: on the wasm backend through its kernels
   * called directly (src/train/direct.ts), elsewhere through the engine.
   */
  stepArrays(
    x: Float32Array,
    y: Float32Array,
    masks: readonly Float32Array[] | undefined,
    rows: number,
  ): Float32Array {
    const yWidth = this.task === 'multiclass' ? this.nOutputs : 1;
    if (!Number.isInteger(rows) || rows < 1) {
      throw new LockstepError('E_TRIAL', `stepArrays: rows must be an integer >= 1, got ${rows}`);
    }
    const expect = (what: string, got: number, want: number) => {
      if (got !== want) {
        throw new LockstepError(
          'E_TRIAL',
          `stepArrays: ${what} has ${got} values, expected ${want} (${rows} rows)`,
        );
      }
    };
    expect('x', x.length, rows * this.nFeatures);
    expect('y', y.length, rows * yWidth);
    const units = this.params.units;
    if (masks !== undefined) {
      if (masks.length > units.length) {
        throw new LockstepError(
          'E_TRIAL',
          `stepArrays: ${masks.length} masks for ${units.length} hidden layers`,
        );
      }
      masks.forEach((m, i) => {
        if (m !== undefined) expect(`masks[${i}]`, m.length, rows * units[i]!);
      });
    }
    const direct = this.directFor(rows);
    if (direct !== null) {
      this.t++;
      return direct.run({ theta: this.theta, slots: this.state.slots, t: this.t }, x, y, masks, rows);
    }
    const xt = tf.tensor2d(x, [rows, this.nFeatures]);
    const yt = tf.tensor2d(y, [rows, yWidth]);
    const mt = masks?.map((m, i) => (m === undefined ? undefined : tf.tensor2d(m, [rows, units[i]!])));
    let out: tf.Tensor2D | undefined;
    try {
      out = this.step(xt, yt, mt as tf.Tensor2D[] | undefined, rows);
      return out.dataSync() as Float32Array;
    } finally {
      xt.dispose();
      yt.dispose();
      for (const m of mt ?? []) m?.dispose();
      out?.dispose();
    }
  }

  /**
   * The direct executor for a batch of `rows`, or null (not on wasm, or its memory could not be
   * had): made at the first call, with buffers for that many rows (the loop's first batch is its
   * largest), and made again, larger, if a later batch has more rows.
   */
  private directFor(rows: number): DirectStep | null {
    if (this.direct === null) return null;
    if (this.direct !== undefined && rows > this.direct.maxRows) {
      this.direct.dispose();
      this.direct = undefined;
    }
    if (this.direct === undefined) {
      const backend = currentWasmBackend();
      this.direct =
        backend === undefined
          ? null
          : DirectStep.create(
              backend,
              this.task,
              this.params,
              this.nFeatures,
              this.nOutputs,
              this.layout,
              rows,
            );
      if (this.direct === null) return null;
    }
    return this.direct.current() ? this.direct : null;
  }

  /**
   * The raw outputs (logits, or standardised values; n × nOutputs) of the n rows of `x` (n × nFeatures)
   * at the current parameters: the same bits as `writeTo(layers); predictRaw(layers, x, n, nFeatures)`
   * on this trainer's model (the same kernels with the same arguments, in the same chunks of
   * PREDICT_BATCH rows), without touching the model. On the wasm backend through its kernels called
   * directly (src/train/direct.ts), elsewhere through the engine (denseOp on views of theta).
   */
  predictArrays(x: Float32Array, n: number): Float32Array {
    if (!Number.isInteger(n) || n < 0) {
      throw new LockstepError('E_TRIAL', `predictArrays: n must be an integer >= 0, got ${n}`);
    }
    if (x.length !== n * this.nFeatures) {
      throw new LockstepError(
        'E_TRIAL',
        `predictArrays: x has ${x.length} values, expected ${n * this.nFeatures} (${n} rows)`,
      );
    }
    if (n === 0) return new Float32Array(0);
    const exec = this.forwardFor(Math.min(n, PREDICT_BATCH));
    if (exec !== null) return exec.run(this.theta, x, n, PREDICT_BATCH);
    const out = new Float32Array(n * this.nOutputs);
    for (let start = 0; start < n; start += PREDICT_BATCH) {
      const end = Math.min(n, start + PREDICT_BATCH);
      const y = tf.tidy(() => {
        const w = this.weights();
        let h = tf.tensor2d(x.subarray(start * this.nFeatures, end * this.nFeatures), [
          end - start,
          this.nFeatures,
        ]);
        for (let l = 0; l < this.nLayers; l++) {
          const act = l < this.nLayers - 1 ? this.params.activation : 'linear';
          h = denseOp(h, w[2 * l] as tf.Tensor2D, w[2 * l + 1]!, act);
        }
        return h;
      });
      try {
        out.set(y.dataSync() as Float32Array, start * this.nOutputs);
      } finally {
        y.dispose();
      }
    }
    return out;
  }

  /** The direct forward executor for chunks of `rows`, or null; made again, larger, for more rows. */
  private forwardFor(rows: number): DirectForward | null {
    if (this.forwardExec === null) return null;
    if (this.forwardExec !== undefined && rows > this.forwardExec.maxRows) {
      this.forwardExec.dispose();
      this.forwardExec = undefined;
    }
    if (this.forwardExec === undefined) {
      const backend = currentWasmBackend();
      this.forwardExec =
        backend === undefined
          ? null
          : DirectForward.create(
              backend,
              this.params.activation,
              this.params.units,
              this.nFeatures,
              this.nOutputs,
              this.layout,
              rows,
            );
      if (this.forwardExec === null) return null;
    }
    return this.forwardExec.current() ? this.forwardExec : null;
  }

  /**
   * The forward pass and the flat gradient of the batch's mean loss (plus l2 · Σ‖W‖²) at the
   * current parameters, by hand: no tape. Call inside tf.tidy.
   */
  gradient(
    x: tf.Tensor2D,
    y: tf.Tensor2D,
    masks: readonly tf.Tensor2D[] | undefined,
    rows: number,
  ): { out: tf.Tensor2D; grad: tf.Tensor1D } {
    const { activation } = this.params;
    const w = this.weights();
    // Forward, keeping each hidden layer's activation (a) and its dropped-out output (h).
    const acts: tf.Tensor2D[] = [];
    const inputs: tf.Tensor2D[] = [x];
    let h = x;
    for (let l = 0; l < this.nLayers; l++) {
      const hidden = l < this.nLayers - 1;
      const a = denseOp(
        h,
        w[2 * l] as tf.Tensor2D,
        w[2 * l + 1] as tf.Tensor1D,
        hidden ? activation : 'linear',
      );
      if (hidden) {
        acts.push(a);
        const mask = masks?.[l];
        h = mask === undefined ? a : tf.mul(a, mask);
        inputs.push(h);
      } else {
        h = a;
      }
    }
    const out = h;
    // dLoss/dOut × rows (the 1/rows comes on the flat gradient).
    let e: tf.Tensor2D;
    switch (this.task) {
      case 'binary':
        e = tf.sub(tf.sigmoid(out), y);
        break;
      case 'multiclass':
        e = tf.sub(tf.softmax(out), y);
        break;
      case 'regression':
        // Mean over rows × outputs of (out − y)²: 2 (out − y) / outputs per row.
        e = tf.mul(tf.sub(out, y), 2 / out.shape[1]);
        break;
      default: {
        const never: never = this.task;
        throw new LockstepError('E_TRIAL', `unknown task ${String(never)}`);
      }
    }
    // Backward, output layer first. Explicit transposes: on wasm, matMul with transposeA or
    // transposeB takes 5–10 times longer than a transpose and a plain matMul at these sizes.
    const grads: tf.Tensor1D[] = new Array(2 * this.nLayers);
    let dz = e;
    for (let l = this.nLayers - 1; l >= 0; l--) {
      grads[2 * l] = tf.reshape(tf.matMul(tf.transpose(inputs[l]!), dz), [-1]);
      grads[2 * l + 1] = tf.sum(dz, 0);
      if (l === 0) break;
      const dh = tf.matMul(dz, tf.transpose(w[2 * l] as tf.Tensor2D));
      const d = derivative(activation, acts[l - 1]!);
      const mask = masks?.[l - 1];
      dz = tf.mul(dh, mask === undefined ? d : tf.mul(d, mask));
    }
    let grad: tf.Tensor1D = tf.mul(tf.concat(grads), 1 / rows);
    if (this.params.l2 > 0) grad = tf.add(grad, tf.mul(this.l2Mask(), this.theta));
    return { out, grad };
  }

  private l2MaskTensor: tf.Tensor1D | undefined;

  /** 2·l2 on kernel entries, 0 on biases: the gradient of l2 · Σ‖W‖² is l2Mask ⊙ θ. */
  private l2Mask(): tf.Tensor1D {
    if (this.l2MaskTensor === undefined) {
      const m = new Float32Array(this.layout.size);
      this.layout.shapes.forEach((shape, i) => {
        if (shape.length === 2) {
          const off = this.layout.offsets[i]!;
          m.fill(2 * this.params.l2, off, off + shape[0]! * shape[1]!);
        }
      });
      this.l2MaskTensor = tf.keep(tf.tensor1d(m));
    }
    return this.l2MaskTensor;
  }

  private update(g: tf.Tensor1D): { theta: tf.Tensor1D; slots: tf.Tensor1D[] } {
    const r = this.rawUpdate(g);
    return { theta: r.theta as tf.Tensor1D, slots: r.slots as tf.Tensor1D[] };
  }

  private rawUpdate(g: tf.Tensor1D): { theta: tf.Tensor; slots: tf.Tensor[] } {
    const s = this.scalars;
    const theta = this.theta;
    const slots = this.state.slots;
    switch (this.params.optimizer) {
      case 'adam': {
        const m = tf.add(tf.mul(slots[0]!, s.b1!), tf.mul(g, s.oneMinusB1!));
        const v = tf.add(tf.mul(slots[1]!, s.b2!), tf.mul(tf.square(g), s.oneMinusB2!));
        const c1 = this.params.learningRate / (1 - pow(0.9, this.t));
        const c2 = 1 / (1 - pow(0.999, this.t));
        const step = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), s.eps!));
        return { theta: tf.sub(theta, step), slots: [m, v] };
      }
      case 'sgd': {
        if (this.params.momentum > 0) {
          const acc = tf.add(tf.mul(slots[0]!, s.momentum!), g);
          return { theta: tf.sub(theta, tf.mul(acc, s.lr!)), slots: [acc] };
        }
        return { theta: tf.sub(theta, tf.mul(g, s.lr!)), slots: [] };
      }
      case 'rmsprop': {
        const ms = tf.add(tf.mul(slots[0]!, s.rho!), tf.mul(tf.square(g), s.oneMinusRho!));
        const mom = tf.add(
          tf.mul(slots[1]!, s.momentum!),
          tf.div(tf.mul(g, s.lr!), tf.sqrt(tf.add(ms, s.eps!))),
        );
        return { theta: tf.sub(theta, mom), slots: [ms, mom] };
      }
      default: {
        const never: never = this.params.optimizer;
        throw new LockstepError('E_PARAM', `params.optimizer: unknown optimizer ${String(never)}`);
      }
    }
  }

  /** Writes the current parameters into the model's layers (the loop: once, at the end). */
  writeTo(layers: readonly tflayers.Layer[]): void {
    tf.tidy(() => {
      const w = this.weights();
      layers.forEach((layer, l) => {
        layer.setWeights([w[2 * l]!, w[2 * l + 1]!]);
      });
    });
  }

  dispose(): void {
    this.direct?.dispose();
    this.direct = null;
    this.forwardExec?.dispose();
    this.forwardExec = null;
    this.theta.dispose();
    for (const s of this.state.slots) s.dispose();
    for (const s of Object.values(this.scalars)) s.dispose();
    this.l2MaskTensor?.dispose();
  }
}
