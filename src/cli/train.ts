import { LockstepError } from '../errors.js';
import type { Params } from '../space/types.js';
import { train, trainTrial } from '../study/train.js';
import type { BackendName } from '../train/types.js';
import { intOption, onePositional, printJson } from './args.js';

const USAGE =
  'lockstep train <config> [--params JSON] [--seed N] [--out DIR] [--backend wasm|cpu|tensorflow] [--trial ID [--ledger PATH]] [--json]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const config = onePositional(positionals, 'config file', USAGE);
  if (typeof values.trial === 'string') {
    for (const other of ['params', 'seed', 'backend'])
      if (values[other] !== undefined)
        throw new LockstepError(
          'E_USAGE',
          `--${other}: not with --trial (the trial's params and the refit seed are used)`,
        );
    const r = await trainTrial({
      config,
      trial: values.trial,
      ledger: values.ledger as string | undefined,
      out: values.out as string | undefined,
    });
    if (values.json) printJson(r);
    else {
      process.stdout.write(`trial ${r.trial} refitted: test ${r.metric} ${r.testScore}\n`);
      for (const [k, v] of Object.entries(r.testMetrics)) process.stdout.write(`  ${k.padEnd(12)} ${v}\n`);
      if (r.sameAsRefit !== null)
        process.stdout.write(
          `  ${r.sameAsRefit ? 'the same weights as the study’s recorded refit' : 'NOT the weights of the study’s recorded refit'}\n`,
        );
      process.stdout.write(`weights ${r.weightsHash}\nmodel   ${r.modelDir}\n`);
    }
    return r.sameAsRefit === false ? 1 : 0;
  }
  if (values.ledger !== undefined) throw new LockstepError('E_USAGE', '--ledger: only with --trial');
  let params: Params | undefined;
  if (typeof values.params === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.params);
    } catch {
      throw new LockstepError(
        'E_USAGE',
        `--params: expected a JSON object, e.g. '{"layers":2,"units":64}', but got ${values.params}`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new LockstepError('E_USAGE', `--params: expected a JSON object, but got ${values.params}`);
    }
    params = parsed as Params;
  }
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !['wasm', 'cpu', 'tensorflow'].includes(backend)) {
    throw new LockstepError('E_USAGE', `--backend: expected wasm, cpu or tensorflow, but got '${backend}'`);
  }
  const tty = process.stderr.isTTY === true;
  const r = await train({
    config,
    params,
    seed: intOption('seed', values.seed, 0),
    backend: backend as BackendName | undefined,
    out: values.out as string | undefined,
    onEpoch: (epoch, m) => {
      if (tty)
        process.stderr.write(
          `\r\x1b[Kepoch ${epoch}  ${Object.entries(m)
            .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
            .join('  ')}`,
        );
    },
  });
  if (tty) process.stderr.write('\n');
  if (values.json) printJson(r);
  else {
    process.stdout.write(`${r.metric} ${r.score}\n`);
    for (const [k, v] of Object.entries(r.metrics)) process.stdout.write(`  ${k.padEnd(12)} ${v}\n`);
    process.stdout.write(`weights ${r.weightsHash}\nmodel   ${r.modelDir}\n`);
  }
  return 0;
}
