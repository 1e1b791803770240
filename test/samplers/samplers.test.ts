import { CmaEsSampler } from '../../src/samplers/cmaes.js';
import { GpSampler } from '../../src/samplers/gp.js';
import { GridSampler } from '../../src/samplers/grid.js';
import { RandomSampler } from '../../src/samplers/random.js';
import { SobolSampler } from '../../src/samplers/sobol.js';
import { TpeSampler } from '../../src/samplers/tpe.js';
import { samplerContract } from './contract.js';

samplerContract('random', () => new RandomSampler());
samplerContract('grid (shuffled)', () => new GridSampler());
samplerContract('grid (fixed order)', () => new GridSampler({ order: 'fixed', grid_points: 3 }), {
  seeded: false,
});
samplerContract('sobol', () => new SobolSampler());
samplerContract('tpe', () => new TpeSampler());
samplerContract('tpe (no startup)', () => new TpeSampler({ n_startup_trials: 0 }));
samplerContract('tpe (multivariate)', () => new TpeSampler({ multivariate: true, n_startup_trials: 5 }));
samplerContract('cmaes', () => new CmaEsSampler());
samplerContract('cmaes (ipop, small population)', () => new CmaEsSampler({ restart: 'ipop', popsize: 4 }));
samplerContract('gp', () => new GpSampler({ n_startup_trials: 5, n_candidates: 128 }));
