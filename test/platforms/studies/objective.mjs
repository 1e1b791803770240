// The pinned studies' user objective: a pure function of the parameters built from + − × ÷ only, whose
// bits IEEE 754 fixes on every machine. So when a study using it gets another digest on another
// platform, the difference comes from the engine (sampler, codec, pruner, seeds), never from here.
export function objective(params, context) {
  const x = Number(params.x);
  const y = Number(params.y);
  const lr = Number(params.lr);
  const n = Number(params.n);
  const epochs = Number(params.epochs ?? 1);
  const penalty = params.kind === 'a' ? 0 : params.kind === 'b' ? 0.05 + 0.1 * x : 0.2 - 0.1 * y;
  const base = (x - 0.3) * (x - 0.3) + 2 * (y + 0.1) * (y + 0.1) + 0.5 * x * y + penalty;
  const lrTerm = 100 * (lr - 0.01) * (lr - 0.01) + 0.001 / lr;
  let value = base + lrTerm;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    value = base + lrTerm + 1 / (epoch * n);
    if (context.report(epoch, { value }) === 'stop') break;
  }
  return value;
}
