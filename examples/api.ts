// lockstep from TypeScript: a typed search space, the built-in MLP, and an objective of your own.
// Run it with: npx tsc -p examples && node examples/dist/api.js   (outputs go to ./runs; in your own project,
// a tsconfig with module NodeNext and skipLibCheck, as `tsc --init` writes it)
import { categorical, fixed, float, int, search, space, when } from 'lockstep';

// 1. The built-in MLP on a built-in table. Parameters are the MLP's (see the README's table).
const mlp = await search({
  name: 'penguins-api',
  seed: 1,
  dataset: 'builtin:penguins',
  target: 'Species',
  metric: 'accuracy',
  space: space(
    int('layers', 1, 2),
    int('units_1', 8, 64, { log: true }),
    ...when({ layers: { gte: 2 } }, int('units_2', 8, 64, { log: true })),
    categorical('optimizer', ['adam', 'sgd']),
    ...when({ optimizer: 'sgd' }, float('momentum', 0, 0.9)),
    float('learning_rate', 1e-3, 0.1, { log: true }),
    fixed('epochs', 10),
  ),
  sampler: 'tpe',
  budget: { trials: 6 },
});
console.log(`MLP: best accuracy ${mlp.best?.score} (trial ${mlp.best?.id}), digest ${mlp.digest}`);

// 2. Your own objective, as a function. `p` is typed from the space: p.x is a number, p.shape is
//    'bowl' | 'ridge', and p.y (conditional) is number | undefined. It runs in this thread, trial after
//    trial; ctx.stream(name) gives the trial's seeded random numbers, so the study replays bit for bit.
const own = await search({
  name: 'quadratic-api',
  seed: 7,
  direction: 'minimize',
  space: space(
    float('x', -5, 5),
    categorical('shape', ['bowl', 'ridge']),
    ...when({ shape: 'ridge' }, float('y', -1, 1)),
  ),
  sampler: { name: 'tpe', n_startup_trials: 5 },
  budget: { trials: 20 },
  objective: (p, ctx) => {
    const noise = 0.001 * ctx.stream('noise').float();
    const y = p.y ?? 0;
    return (p.x - 1) * (p.x - 1) + (p.shape === 'ridge' ? y * y : 0.5) + noise;
  },
});
console.log(`own objective: best ${own.best?.score} at ${JSON.stringify(own.best?.params)}, digest ${own.digest}`);
