import type { Task } from '../data/types.js';
import { LockstepError } from '../errors.js';
import { pow } from '../math/index.js';
import * as tf from './tf.js';
import type { Activation, FlatLayout, MlpParams } from './types.js';

/**
 * FlatTrainer's training step on tfjs-backend-wasm's compiled kernels, called directly: the same
 * kernels, in the same order, with the same arguments as the engine path (FlatTrainer.step through
 * tf.* ops), so the same bits, without the engine's per-op cost (Tensor objects, scopes, kernel
 * lookup, one malloc per output).
 *
 * Every buffer a step needs is allocated once, in one block of wasm memory, and registered with
 * the wasm backend under tensor ids of its own (taken from the backend's id counter, so they never
 * collide with the engine's). The parameters and the optimizer's slots stay the trainer's tfjs
 * tensors: the kernels read them and write the new values into their memory.
 *
 * What the engine path does that this mirrors (tfjs-backend-wasm 4.22, checked in its source):
 * - slice/reshape/concat are copies or no-ops: the weights are ids registered over theta's memory,
 *   and the gradient kernels write straight into one flat gradient buffer;
 * - matMul runs as BatchMatMul on [1, m, k] × [1, k, n]; fused.matMul (relu, elu, linear) as
 *   _FusedMatMul with the bias;
 * - a JS number operand becomes a float32 scalar of shape [];
 * - sum over axis 0 transposes first, then sums the inner axis; a transpose drops size-1 dims and
 *   is a plain copy when nothing is left to permute;
 * - XNNPACK's matmul operator is cached on the ids of its right operand and bias, with the packed
 *   values: the engine's operands are new tensors every step, so every cached operator here is
 *   dropped (its ids re-registered) before the kernel runs again on new values.
 */

/** The Emscripten module of tfjs-backend-wasm, as far as this file uses it. */
interface WasmModule {
  HEAPF32: Float32Array;
  HEAP32: Int32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _register_tensor(id: number, size: number, ptr: number): void;
  _dispose_data(id: number): void;
  asm?: Record<string, unknown>;
  [name: string]: unknown;
}

interface TensorData {
  id: number;
  memoryOffset: number;
}

/** The wasm backend's fields this file reads (BackendWasm in tfjs-backend-wasm). */
interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): TensorData | undefined };
  dataIdNextNumber: number;
}

type Kernel = (...args: number[]) => void;

const KERNELS = [
  '_FusedMatMul',
  'BatchMatMul',
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'Relu',
  'Greater',
  'Tanh',
  'Sigmoid',
  'Selu',
  'Square',
  'Sqrt',
  'Step',
  'Softmax',
  'Sum',
  'Transpose',
  'SelectV2',
] as const;
type KernelName = (typeof KERNELS)[number];

/** CppDType.float32 and FusableActivation in tfjs-backend-wasm. */
const F32 = 0;
const FUSED_ACTIVATION: Partial<Record<string, number>> = { linear: 0, relu: 1, elu: 6 };
/** fused.matMul's default leakyreluAlpha, passed along like the wasm kernel wrapper does. */
const LEAKY_ALPHA = 0.2;

const EPSILON = 1e-7;
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473766;

/** The wasm backend when it is the current one and has every kernel the step needs. */
export function currentWasmBackend(): WasmBackend | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const b = tf.backend() as unknown as Partial<WasmBackend>;
  const m = b.wasm;
  if (m === undefined || b.dataIdMap === undefined || typeof b.dataIdNextNumber !== 'number')
    return undefined;
  for (const f of ['_malloc', '_free', '_register_tensor', '_dispose_data']) {
    if (typeof m[f] !== 'function') return undefined;
  }
  for (const k of KERNELS) if (typeof m[`_${k}`] !== 'function') return undefined;
  return b as WasmBackend;
}

/** A buffer of the step: `cols` values per batch row, or a fixed count of values. */
interface Buf {
  id: number;
  /** Byte offset in wasm memory (of theta's or a slot's memory, for the views registered over them). */
  ptr: number;
  cols: number;
  perRow: boolean;
  /** The size it is registered with now (elements). */
  size: number;
}

/** The tensors of the trainer the kernels read and write. */
export interface DirectState {
  theta: tf.Tensor1D;
  slots: readonly tf.Tensor1D[];
  /** The step number, 1 at the first step (Adam's bias correction). */
  t: number;
}

interface LayerBufs {
  fanIn: number;
  fanOut: number;
  /** Views over theta: the kernel [fanIn, fanOut] and the bias [fanOut]. */
  w: Buf;
  b: Buf;
  /** Views over the flat gradient. */
  gw: Buf;
  gb: Buf;
  /** Hidden layers: the activation a, its masked output, the pre-activation (unfused). */
  a: Buf;
  h: Buf;
  mask: Buf;
  z: Buf;
  zb: Buf;
  /** Backward: transposed input [fanIn, rows], transposed dz [fanOut, rows], Wᵀ [fanOut, fanIn]. */
  tin: Buf;
  tdz: Buf;
  wt: Buf;
  /** Backward into the layer below (l > 0): dh = dz·Wᵀ [rows, fanIn], derivative, its temps, next dz. */
  dh: Buf;
  d: Buf;
  dm: Buf;
  t1: Buf;
  gt: Buf;
  fill: Buf;
  dzBelow: Buf;
}

export class DirectStep {
  private readonly m: WasmModule;
  private readonly k: Record<KernelName, Kernel>;
  private readonly bufs: Buf[] = [];
  private readonly layers: LayerBufs[] = [];
  private block = 0;
  private rows = -1;
  private readonly nLayers: number;
  private readonly activation: Activation;
  /** Shape scratch: int32 triples the kernels read their shapes from. */
  private shapes!: Buf;
  private readonly x: Buf;
  private readonly y: Buf;
  private readonly out: Buf;
  private readonly p: Buf;
  private readonly e: Buf;
  private readonly g: Buf;
  private readonly gs: Buf;
  private readonly l2t: Buf;
  private readonly gl: Buf;
  private readonly l2mask: Buf;
  private readonly thetaView: Buf;
  private readonly slotViews: Buf[];
  private readonly newTheta: Buf;
  private readonly tmp: Buf[];
  private readonly s: Record<string, Buf> = {};
  private disposed = false;

  constructor(
    readonly backend: WasmBackend,
    private readonly task: Task,
    private readonly params: MlpParams,
    nFeatures: number,
    private readonly nOutputs: number,
    private readonly layout: FlatLayout,
    /** The largest batch the buffers hold. */
    readonly maxRows: number,
  ) {
    this.m = backend.wasm;
    const m = this.m;
    this.k = kernels(m);
    this.nLayers = params.units.length + 1;
    this.activation = params.activation;
    const yWidth = task === 'multiclass' ? nOutputs : 1;
    const size = layout.size;
    const row = (cols: number) => this.buf(cols, true);
    const fixed = (n: number) => this.buf(n, false);
    this.x = row(nFeatures);
    this.y = row(yWidth);
    this.out = row(nOutputs);
    this.p = row(nOutputs);
    this.e = row(nOutputs);
    this.g = fixed(size);
    this.gs = fixed(size);
    this.l2t = fixed(size);
    this.gl = fixed(size);
    this.l2mask = fixed(size);
    this.newTheta = fixed(size);
    this.tmp = Array.from({ length: 10 }, () => fixed(size));
    for (const name of [
      'lr',
      'b1',
      'oneMinusB1',
      'b2',
      'oneMinusB2',
      'rho',
      'oneMinusRho',
      'momentum',
      'eps',
      'one',
      'zero',
      'seluScaleAlpha',
      'regression',
      'invRows',
      'c1',
      'c2',
    ]) {
      this.s[name] = fixed(1);
    }
    const widths = [...params.units, nOutputs];
    let fanIn = nFeatures;
    for (let l = 0; l < this.nLayers; l++) {
      const fanOut = widths[l]!;
      const below = l > 0 ? fanIn : 0;
      this.layers.push({
        fanIn,
        fanOut,
        w: this.view(fanIn * fanOut),
        b: this.view(fanOut),
        gw: this.view(fanIn * fanOut),
        gb: this.view(fanOut),
        a: row(fanOut),
        h: row(fanOut),
        mask: row(fanOut),
        z: row(fanOut),
        zb: row(fanOut),
        tin: row(fanIn),
        tdz: row(fanOut),
        wt: fixed(fanIn * fanOut),
        dh: row(below),
        d: row(below),
        dm: row(below),
        t1: row(below),
        gt: row(below),
        fill: row(below),
        dzBelow: row(below),
      });
      fanIn = fanOut;
    }
    this.thetaView = this.view(size);
    this.slotViews = [this.view(size), this.view(size)];
    this.allocate();
    this.setConstants();
  }

  /** An executor with buffers for up to `maxRows` rows, or null when wasm memory cannot hold them. */
  static create(
    backend: WasmBackend,
    task: Task,
    params: MlpParams,
    nFeatures: number,
    nOutputs: number,
    layout: FlatLayout,
    maxRows: number,
  ): DirectStep | null {
    try {
      return new DirectStep(backend, task, params, nFeatures, nOutputs, layout, maxRows);
    } catch (e) {
      if (e instanceof LockstepError) return null;
      throw e;
    }
  }

  private buf(cols: number, perRow: boolean): Buf {
    const b: Buf = { id: 0, ptr: 0, cols, perRow, size: 0 };
    this.bufs.push(b);
    return b;
  }

  /** An id registered over memory the block does not own (theta, a slot, the flat gradient). */
  private view(n: number): Buf {
    return { id: this.backend.dataIdNextNumber++, ptr: 0, cols: n, perRow: false, size: 0 };
  }

  private allocate(): void {
    let bytes = 64; // the shape scratch: 16 int32
    for (const b of this.bufs) bytes += align((b.perRow ? b.cols * this.maxRows : b.cols) * 4);
    const block = this.m._malloc(bytes) >>> 0;
    if (block === 0) throw new LockstepError('E_TRIAL', `wasm: could not allocate ${bytes} bytes`);
    this.block = block;
    this.shapes = { id: 0, ptr: block, cols: 16, perRow: false, size: 16 };
    let ptr = block + 64;
    for (const b of this.bufs) {
      b.ptr = ptr;
      ptr += align((b.perRow ? b.cols * this.maxRows : b.cols) * 4);
      b.id = this.backend.dataIdNextNumber++;
      if (!b.perRow) this.register(b, b.cols);
    }
    // The flat gradient's views: each layer's kernel and bias gradient, in layout order.
    this.layers.forEach((L, l) => {
      this.place(L.gw, this.g.ptr + this.layout.offsets[2 * l]! * 4);
      this.place(L.gb, this.g.ptr + this.layout.offsets[2 * l + 1]! * 4);
    });
  }

  private setConstants(): void {
    const H = this.m.HEAPF32;
    const set = (name: string, v: number) => {
      H[this.s[name]!.ptr >> 2] = v;
    };
    // The values the engine path's tf.scalar / JS-number operands hold (float32).
    set('lr', this.params.learningRate);
    set('b1', 0.9);
    set('oneMinusB1', 1 - 0.9);
    set('b2', 0.999);
    set('oneMinusB2', 1 - 0.999);
    set('rho', 0.9);
    set('oneMinusRho', 1 - 0.9);
    set('momentum', this.params.momentum);
    set('eps', EPSILON);
    set('one', 1);
    set('zero', 0);
    set('seluScaleAlpha', SELU_SCALE_ALPHA);
    set('regression', 2 / this.nOutputs);
    // 2·l2 on kernel entries, 0 on biases (FlatTrainer's l2 mask).
    const m = this.l2mask.ptr >> 2;
    H.fill(0, m, m + this.layout.size);
    this.layout.shapes.forEach((shape, i) => {
      if (shape.length === 2) {
        const off = m + this.layout.offsets[i]!;
        H.fill(2 * this.params.l2, off, off + shape[0]! * shape[1]!);
      }
    });
    for (const L of this.layers) {
      const f = L.fill.ptr >> 2;
      H.fill(SELU_SCALE, f, f + L.fill.cols * this.maxRows);
    }
  }

  private register(b: Buf, size: number): void {
    this.m._dispose_data(b.id);
    this.m._register_tensor(b.id, size, b.ptr);
    b.size = size;
  }

  /** Registers a view at `ptr` (when it moved). */
  private place(b: Buf, ptr: number): void {
    if (b.ptr === ptr && b.size === b.cols) return;
    b.ptr = ptr;
    this.register(b, b.cols);
  }

  /** Drops the XNNPACK operator cached on this id (its packed values are stale). */
  private fresh(b: Buf): void {
    this.register(b, b.size);
  }

  private setRows(rows: number): void {
    if (rows === this.rows) return;
    for (const b of this.bufs) if (b.perRow) this.register(b, b.cols * rows);
    this.rows = rows;
  }

  private ptrOf(t: tf.Tensor): number {
    const d = this.backend.dataIdMap.get(t.dataId);
    if (d === undefined)
      throw new LockstepError('E_TRIAL', 'direct step: a trainer tensor is not on the wasm backend');
    return d.memoryOffset;
  }

  /**
   * One step: writes the batch into wasm memory, runs the kernels, writes the new parameters and
   * slots into `state`'s tensors. Returns the output layer's values before the step (a view of
   * wasm memory, valid until the next call).
   */
  run(
    state: DirectState,
    x: Float32Array,
    y: Float32Array,
    masks: readonly Float32Array[] | undefined,
    rows: number,
  ): Float32Array {
    if (this.disposed) throw new LockstepError('E_TRIAL', 'direct step: used after dispose');
    const k = this.k;
    const { layers, nLayers } = this;
    this.setRows(rows);
    // Views over the trainer's tensors (the same tensors every step, unless step() replaced them).
    const thetaPtr = this.ptrOf(state.theta);
    this.place(this.thetaView, thetaPtr);
    state.slots.forEach((s, i) => {
      this.place(this.slotViews[i]!, this.ptrOf(s));
    });
    layers.forEach((L, l) => {
      L.w.ptr = thetaPtr + this.layout.offsets[2 * l]! * 4;
      L.b.ptr = thetaPtr + this.layout.offsets[2 * l + 1]! * 4;
      // New values under these ids: drop the operators cached on the old ones.
      this.register(L.w, L.w.cols);
      this.register(L.b, L.b.cols);
    });
    let H = this.m.HEAPF32;
    H.set(x, this.x.ptr >> 2);
    H.set(y, this.y.ptr >> 2);
    for (let l = 0; l < nLayers - 1; l++) {
      const mask = masks?.[l];
      if (mask !== undefined) H.set(mask, layers[l]!.mask.ptr >> 2);
    }
    H[this.s.invRows!.ptr >> 2] = 1 / rows;
    const sh = shapeWriter(this.m, this.shapes.ptr);
    const binary = (op: Kernel, a: Buf, aDims: number[], b: Buf, bDims: number[], out: Buf) => {
      op(a.id, sh(0, ...aDims), aDims.length, b.id, sh(1, ...bDims), bDims.length, F32, out.id);
    };
    // Elementwise on two [rows, n] buffers, or a [rows, n] buffer and a scalar.
    const ew = (op: Kernel, a: Buf, b: Buf, out: Buf, n: number) =>
      binary(op, a, [rows, n], b, [rows, n], out);
    const transpose = (src: Buf, r: number, c: number, dst: Buf) => {
      // removeOneSizeDims: with a size-1 dim the [r, c] → [c, r] transpose is a copy.
      if (r === 1 || c === 1) {
        const F = this.m.HEAPF32;
        F.copyWithin(dst.ptr >> 2, src.ptr >> 2, (src.ptr >> 2) + r * c);
        return;
      }
      k.Transpose(src.id, sh(0, r, c), 2, F32, dst.id, sh(1, 1, 0), 2);
    };
    const matMul = (a: Buf, m: number, inner: number, b: Buf, n: number, out: Buf) => {
      this.fresh(b);
      k.BatchMatMul(a.id, sh(0, 1, m, inner), 3, b.id, sh(1, 1, inner, n), 3, 0, 0, out.id);
    };

    // Forward, keeping each hidden layer's activation (a) and its dropped-out output (h).
    const inputs: Buf[] = [this.x];
    let h = this.x;
    for (let l = 0; l < nLayers; l++) {
      const L = layers[l]!;
      const hidden = l < nLayers - 1;
      const act = hidden ? this.activation : 'linear';
      const a = hidden ? L.a : this.out;
      dense(k, sh, rows, h, L, act, a);
      if (hidden) {
        if (masks?.[l] !== undefined) {
          ew(k.Multiply, a, L.mask, L.h, L.fanOut);
          h = L.h;
        } else {
          h = a;
        }
        inputs.push(h);
      }
    }
    const nOut = this.nOutputs;
    // dLoss/dOut × rows.
    switch (this.task) {
      case 'binary':
        k.Sigmoid(this.out.id, this.p.id);
        ew(k.Sub, this.p, this.y, this.e, nOut);
        break;
      case 'multiclass':
        k.Softmax(this.out.id, this.p.id, nOut, rows);
        ew(k.Sub, this.p, this.y, this.e, nOut);
        break;
      case 'regression':
        ew(k.Sub, this.out, this.y, this.p, nOut);
        binary(k.Multiply, this.p, [rows, nOut], this.s.regression!, [], this.e);
        break;
      default: {
        const never: never = this.task;
        throw new LockstepError('E_TRIAL', `unknown task ${String(never)}`);
      }
    }
    // Backward, output layer first, into the flat gradient's views.
    let dz = this.e;
    for (let l = nLayers - 1; l >= 0; l--) {
      const L = layers[l]!;
      transpose(inputs[l]!, rows, L.fanIn, L.tin);
      matMul(L.tin, L.fanIn, rows, dz, L.fanOut, L.gw);
      // sum(dz, 0): transpose to [fanOut, rows], sum the rows.
      transpose(dz, rows, L.fanOut, L.tdz);
      k.Sum(L.tdz.id, rows, F32, L.gb.id);
      if (l === 0) break;
      transpose(L.w, L.fanIn, L.fanOut, L.wt);
      matMul(dz, rows, L.fanOut, L.wt, L.fanIn, L.dh);
      const a = layers[l - 1]!.a;
      const u = L.fanIn;
      switch (this.activation) {
        case 'relu':
          k.Step(a.id, 0, F32, L.d.id);
          break;
        case 'elu':
          // min(a, 0) + 1 as (a − relu(a)) + 1: the same values, and Minimum took ~3 times Relu + Sub here.
          k.Relu(a.id, F32, L.t1.id);
          ew(k.Sub, a, L.t1, L.dm, u);
          binary(k.Add, L.dm, [rows, u], this.s.one!, [], L.d);
          break;
        case 'tanh':
          k.Square(a.id, F32, L.t1.id);
          binary(k.Sub, this.s.one!, [], L.t1, [rows, u], L.d);
          break;
        case 'sigmoid':
          binary(k.Sub, this.s.one!, [], a, [rows, u], L.t1);
          ew(k.Multiply, a, L.t1, L.d, u);
          break;
        case 'selu':
          binary(k.Greater, a, [rows, u], this.s.zero!, [], L.gt);
          binary(k.Add, a, [rows, u], this.s.seluScaleAlpha!, [], L.t1);
          k.SelectV2(L.gt.id, L.fill.id, L.t1.id, 1, L.d.id);
          break;
        default: {
          const never: never = this.activation;
          throw new LockstepError('E_PARAM', `params.activation: unsupported activation ${String(never)}`);
        }
      }
      if (masks?.[l - 1] !== undefined) {
        ew(k.Multiply, L.d, layers[l - 1]!.mask, L.dm, u);
        ew(k.Multiply, L.dh, L.dm, L.dzBelow, u);
      } else {
        ew(k.Multiply, L.dh, L.d, L.dzBelow, u);
      }
      dz = L.dzBelow;
    }
    // The flat gradient: × 1/rows, plus l2Mask ⊙ θ.
    const n = this.layout.size;
    const vec = (op: Kernel, a: Buf, b: Buf, out: Buf) => binary(op, a, [n], b, [n], out);
    const scal = (op: Kernel, a: Buf, b: Buf, out: Buf) => binary(op, a, [n], b, [], out);
    binary(k.Multiply, this.g, [n], this.s.invRows!, [], this.gs);
    let g = this.gs;
    if (this.params.l2 > 0) {
      vec(k.Multiply, this.l2mask, this.thetaView, this.l2t);
      vec(k.Add, this.gs, this.l2t, this.gl);
      g = this.gl;
    }
    // The optimizer: new slots straight into the slot tensors (no kernel reads a slot it writes),
    // the new parameters into a buffer, then copied over theta.
    const s = this.s;
    const t = this.tmp;
    const slot = this.slotViews;
    let step: Buf;
    switch (this.params.optimizer) {
      case 'adam': {
        H = this.m.HEAPF32;
        H[s.c1!.ptr >> 2] = this.params.learningRate / (1 - pow(0.9, state.t));
        H[s.c2!.ptr >> 2] = 1 / (1 - pow(0.999, state.t));
        scal(k.Multiply, slot[0]!, s.b1!, t[0]!);
        scal(k.Multiply, g, s.oneMinusB1!, t[1]!);
        vec(k.Add, t[0]!, t[1]!, slot[0]!);
        scal(k.Multiply, slot[1]!, s.b2!, t[2]!);
        k.Square(g.id, F32, t[3]!.id);
        scal(k.Multiply, t[3]!, s.oneMinusB2!, t[4]!);
        vec(k.Add, t[2]!, t[4]!, slot[1]!);
        scal(k.Multiply, slot[0]!, s.c1!, t[5]!);
        scal(k.Multiply, slot[1]!, s.c2!, t[6]!);
        k.Sqrt(t[6]!.id, F32, t[7]!.id);
        scal(k.Add, t[7]!, s.eps!, t[8]!);
        vec(k.RealDiv, t[5]!, t[8]!, t[9]!);
        step = t[9]!;
        break;
      }
      case 'sgd':
        if (this.params.momentum > 0) {
          scal(k.Multiply, slot[0]!, s.momentum!, t[0]!);
          vec(k.Add, t[0]!, g, slot[0]!);
          scal(k.Multiply, slot[0]!, s.lr!, t[1]!);
        } else {
          scal(k.Multiply, g, s.lr!, t[1]!);
        }
        step = t[1]!;
        break;
      case 'rmsprop':
        scal(k.Multiply, slot[0]!, s.rho!, t[0]!);
        k.Square(g.id, F32, t[1]!.id);
        scal(k.Multiply, t[1]!, s.oneMinusRho!, t[2]!);
        vec(k.Add, t[0]!, t[2]!, slot[0]!);
        scal(k.Multiply, slot[1]!, s.momentum!, t[3]!);
        scal(k.Multiply, g, s.lr!, t[4]!);
        scal(k.Add, slot[0]!, s.eps!, t[5]!);
        k.Sqrt(t[5]!.id, F32, t[6]!.id);
        vec(k.RealDiv, t[4]!, t[6]!, t[7]!);
        vec(k.Add, t[3]!, t[7]!, slot[1]!);
        step = slot[1]!;
        break;
      default: {
        const never: never = this.params.optimizer;
        throw new LockstepError('E_PARAM', `params.optimizer: unknown optimizer ${String(never)}`);
      }
    }
    vec(k.Sub, this.thetaView, step, this.newTheta);
    H = this.m.HEAPF32;
    H.copyWithin(thetaPtr >> 2, this.newTheta.ptr >> 2, (this.newTheta.ptr >> 2) + n);
    const o = this.out.ptr >> 2;
    return H.subarray(o, o + rows * nOut);
  }

  /** Whether the wasm backend this executor was made on is still the current backend. */
  current(): boolean {
    return tf.getBackend() === 'wasm' && (tf.backend() as unknown) === this.backend;
  }

  /** The first `size` values of a tensor of this backend, as a view of wasm memory (no copy); undefined elsewhere. */
  viewOf(t: tf.Tensor, size: number): Float32Array | undefined {
    const d = this.backend.dataIdMap.get(t.dataId);
    if (d === undefined || this.disposed) return undefined;
    const at = d.memoryOffset >> 2;
    return this.m.HEAPF32.subarray(at, at + size);
  }

  /** Unregisters every id and frees the block. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const ids = [
      ...this.bufs.map((b) => b.id),
      ...this.layers.flatMap((L) => [L.w.id, L.b.id, L.gw.id, L.gb.id]),
      this.thetaView.id,
      ...this.slotViews.map((b) => b.id),
    ];
    for (const id of ids) this.m._dispose_data(id);
    this.m._free(this.block);
  }
}

/**
 * The validation forward pass (predictRaw in src/train/mlp.ts) on the same kernels, called directly:
 * per chunk of rows, each layer's fused matMul (relu, elu, linear) or BatchMatMul + Add + activation,
 * with the same arguments as the engine path, at the trainer's current parameters (theta's memory).
 *
 * The weight views get ids of their own, re-registered at the start of every call (their values are
 * new since the last call: a re-registered id drops the XNNPACK operator cached on it) and kept for
 * the call's chunks, like the engine's variables, whose ids do not change between chunks.
 */
export class DirectForward {
  private readonly m: WasmModule;
  private readonly k: Record<KernelName, Kernel>;
  private readonly bufs: Buf[] = [];
  private readonly layers: {
    fanIn: number;
    fanOut: number;
    act: string;
    w: Buf;
    b: Buf;
    a: Buf;
    z: Buf | undefined;
    zb: Buf | undefined;
  }[] = [];
  private block = 0;
  private rows = -1;
  private shapes = 0;
  private readonly x: Buf;
  private disposed = false;

  constructor(
    readonly backend: WasmBackend,
    activation: Activation,
    units: readonly number[],
    private readonly nFeatures: number,
    private readonly nOutputs: number,
    private readonly layout: FlatLayout,
    /** The largest chunk the buffers hold. */
    readonly maxRows: number,
  ) {
    this.m = backend.wasm;
    this.k = kernels(this.m);
    const row = (cols: number): Buf => {
      const b: Buf = { id: 0, ptr: 0, cols, perRow: true, size: 0 };
      this.bufs.push(b);
      return b;
    };
    const view = (n: number): Buf => ({
      id: backend.dataIdNextNumber++,
      ptr: 0,
      cols: n,
      perRow: false,
      size: 0,
    });
    this.x = row(nFeatures);
    let fanIn = nFeatures;
    const widths = [...units, nOutputs];
    widths.forEach((fanOut, l) => {
      const act = l < units.length ? activation : 'linear';
      const fused = FUSED_ACTIVATION[act] !== undefined;
      this.layers.push({
        fanIn,
        fanOut,
        act,
        w: view(fanIn * fanOut),
        b: view(fanOut),
        a: row(fanOut),
        z: fused ? undefined : row(fanOut),
        zb: fused ? undefined : row(fanOut),
      });
      fanIn = fanOut;
    });
    let bytes = 64;
    for (const b of this.bufs) bytes += align(b.cols * maxRows * 4);
    const block = this.m._malloc(bytes) >>> 0;
    if (block === 0) throw new LockstepError('E_TRIAL', `wasm: could not allocate ${bytes} bytes`);
    this.block = block;
    this.shapes = block;
    let ptr = block + 64;
    for (const b of this.bufs) {
      b.ptr = ptr;
      ptr += align(b.cols * maxRows * 4);
      b.id = backend.dataIdNextNumber++;
    }
  }

  /** An executor for chunks of up to `maxRows` rows, or null when wasm memory cannot hold them. */
  static create(
    backend: WasmBackend,
    activation: Activation,
    units: readonly number[],
    nFeatures: number,
    nOutputs: number,
    layout: FlatLayout,
    maxRows: number,
  ): DirectForward | null {
    try {
      return new DirectForward(backend, activation, units, nFeatures, nOutputs, layout, maxRows);
    } catch (e) {
      if (e instanceof LockstepError) return null;
      throw e;
    }
  }

  private register(b: Buf, size: number): void {
    this.m._dispose_data(b.id);
    this.m._register_tensor(b.id, size, b.ptr);
    b.size = size;
  }

  /**
   * The raw outputs (n × nOutputs) of the `n` rows of `x` at the parameters in `theta`, in chunks of
   * `chunk` rows (at most maxRows), into a new array.
   */
  run(theta: tf.Tensor1D, x: Float32Array, n: number, chunk: number): Float32Array {
    if (this.disposed) throw new LockstepError('E_TRIAL', 'direct forward: used after dispose');
    if (Math.min(n, chunk) > this.maxRows) {
      throw new LockstepError('E_TRIAL', `direct forward: chunk ${chunk} above ${this.maxRows} rows`);
    }
    const d = this.backend.dataIdMap.get(theta.dataId);
    if (d === undefined)
      throw new LockstepError('E_TRIAL', 'direct forward: the parameters are not on the wasm backend');
    const thetaPtr = d.memoryOffset;
    const { k, layers, nFeatures, nOutputs } = this;
    // New values under the weight ids: drop the operators cached on them.
    layers.forEach((L, l) => {
      L.w.ptr = thetaPtr + this.layout.offsets[2 * l]! * 4;
      L.b.ptr = thetaPtr + this.layout.offsets[2 * l + 1]! * 4;
      this.register(L.w, L.w.cols);
      this.register(L.b, L.b.cols);
    });
    const out = new Float32Array(n * nOutputs);
    const sh = shapeWriter(this.m, this.shapes);
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(n, start + chunk) - start;
      if (rows !== this.rows) {
        for (const b of this.bufs) this.register(b, b.cols * rows);
        this.rows = rows;
      }
      this.m.HEAPF32.set(x.subarray(start * nFeatures, (start + rows) * nFeatures), this.x.ptr >> 2);
      let h = this.x;
      for (const L of layers) {
        dense(k, sh, rows, h, L, L.act, L.a);
        h = L.a;
      }
      const o = h.ptr >> 2;
      out.set(this.m.HEAPF32.subarray(o, o + rows * nOutputs), start * nOutputs);
    }
    return out;
  }

  /** Whether the wasm backend this executor was made on is still the current backend. */
  current(): boolean {
    return tf.getBackend() === 'wasm' && (tf.backend() as unknown) === this.backend;
  }

  /** Unregisters every id and frees the block. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.bufs) this.m._dispose_data(b.id);
    for (const L of this.layers) {
      this.m._dispose_data(L.w.id);
      this.m._dispose_data(L.b.id);
    }
    this.m._free(this.block);
  }
}

/** Writes `dims` into a shape slot (up to 4 dims, 16 bytes each) and returns the slot's address. */
type Shapes = (slot: number, ...dims: number[]) => number;

/** The shape writer over the slots at byte offset `S` (HEAP32 read at each call: memory may grow). */
function shapeWriter(m: WasmModule, S: number): Shapes {
  return (slot, ...dims) => {
    const I = m.HEAP32;
    const at = (S >> 2) + slot * 4;
    for (let i = 0; i < dims.length; i++) I[at + i] = dims[i]!;
    return S + slot * 16;
  };
}

/**
 * One dense layer on wasm's kernels, for `rows` rows: out = act(h·w + b). The activations tfjs fuses
 * into the matrix product go through _FusedMatMul (as tfjs's dense layer does); the others through
 * BatchMatMul, Add (into the scratch z, zb) and the activation's kernel.
 */
function dense(
  k: Record<KernelName, Kernel>,
  sh: Shapes,
  rows: number,
  h: Buf,
  L: { fanIn: number; fanOut: number; w: Buf; b: Buf; z: Buf | undefined; zb: Buf | undefined },
  act: string,
  out: Buf,
): void {
  const fusedAct = FUSED_ACTIVATION[act];
  if (fusedAct !== undefined) {
    k._FusedMatMul(
      h.id,
      sh(0, 1, rows, L.fanIn),
      3,
      L.w.id,
      sh(1, 1, L.fanIn, L.fanOut),
      3,
      0,
      0,
      fusedAct,
      L.b.id,
      0,
      LEAKY_ALPHA,
      out.id,
    );
    return;
  }
  const z = L.z!;
  const zb = L.zb!;
  k.BatchMatMul(h.id, sh(0, 1, rows, L.fanIn), 3, L.w.id, sh(1, 1, L.fanIn, L.fanOut), 3, 0, 0, z.id);
  k.Add(z.id, sh(0, rows, L.fanOut), 2, L.b.id, sh(1, L.fanOut), 1, F32, zb.id);
  if (act === 'tanh') k.Tanh(zb.id, F32, out.id);
  else if (act === 'sigmoid') k.Sigmoid(zb.id, out.id);
  else if (act === 'selu') k.Selu(zb.id, F32, out.id);
  else throw new LockstepError('E_PARAM', `params.activation: unsupported activation ${act}`);
}

/** The kernels, as the module's raw exports when it has them (`_X` forwards until first use). */
function kernels(m: WasmModule): Record<KernelName, Kernel> {
  const k = {} as Record<KernelName, Kernel>;
  for (const name of KERNELS) {
    const raw = m.asm?.[name];
    k[name] = (typeof raw === 'function' ? raw : m[`_${name}`]) as Kernel;
  }
  return k;
}

function align(bytes: number): number {
  return (bytes + 15) & ~15;
}
