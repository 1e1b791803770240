/** Shared shapes of the trainer. */

export type { Direction } from '../types.js';

export type Activation = 'relu' | 'tanh' | 'elu' | 'sigmoid' | 'selu';
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/**
 * How the initial weights are drawn (src/train/mlp.ts `initialWeights`): `torch`, PyTorch's nn.Linear default
 * (kernels and biases uniform in ±1/√fanIn); `he`, He uniform (±√(6/fanIn)) for relu/elu/selu hidden layers and
 * Glorot uniform (±√(6/(fanIn+fanOut))) for the others and the output layer, zero biases.
 */
export type InitName = 'torch' | 'he';
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';

/** Metric names; each has a fixed direction (see METRIC_DIRECTION in train/metrics.ts). */
export type MetricName = 'accuracy' | 'log_loss' | 'roc_auc' | 'rmse' | 'mae' | 'r2';

/** Resolved MLP hyperparameters (after validation). */
export interface MlpParams {
  layers: number;
  /** Units of each hidden layer; length === layers. */
  units: number[];
  activation: Activation;
  dropout: number;
  l2: number;
  optimizer: OptimizerName;
  init: InitName;
  learningRate: number;
  momentum: number;
  batchSize: number;
  epochs: number;
}

/** Metrics of one epoch, measured on the validation part: train_loss plus the task's metrics. */
export type EpochMetrics = Record<string, number>;

/** Called after every epoch; returning 'stop' ends training early (a pruned trial). */
export type EpochCallback = (epoch: number, metrics: EpochMetrics) => void | 'stop';

export interface TrainOutcome {
  /** Per-epoch metrics, epoch 1..n (index 0 is epoch 1). */
  history: EpochMetrics[];
  /** Final validation metrics (= the last epoch's). */
  metrics: EpochMetrics;
  /** The chosen metric's final value. */
  score: number;
  /** SHA-256 of the final weights (all weights in model order, float32 little-endian). */
  weightsHash: string;
  /** Epochs actually trained (less than params.epochs when stopped). */
  epochs: number;
  /** 'stopped' when the callback asked to stop. */
  stopped: boolean;
}

/** Where each weight of an MLP lies in one flat buffer (the direct kernels and the flat trainer share it). */
export interface FlatLayout {
  /** Shapes in model order: kernel [fanIn, fanOut], bias [fanOut], per layer. */
  shapes: number[][];
  /** Offset of each weight in the flat buffer. */
  offsets: number[];
  size: number;
}
