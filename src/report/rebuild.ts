/**
 * What rebuilds a study's environment, from the versions its ledger RECORDED (never this
 * machine's): a Dockerfile on the recorded Node release that installs the recorded lockstep with
 * its dependency tree pinned by the lockfile and checks the recorded tfjs and backend versions,
 * the lockfile, the ledger, `replay.sh` (replays the best trial), and a README.txt.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LockstepError, NotFoundError } from '../errors.js';
import type { Environment } from '../ledger/index.js';
import { packageRoot } from '../paths.js';
import { summarize } from '../study/summary.js';
import { shellQuote } from './model.js';

export interface RebuildFiles {
  dir: string;
  files: string[];
  /** Differences between the lockfile and the recorded versions, and other things to know. */
  warnings: string[];
  node: string;
  best: string | null;
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** The npm package that provides each backend, and whether it is a separate package to pin. */
const BACKEND_PACKAGES: Record<string, string> = {
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  tensorflow: '@tensorflow/tfjs-node',
  webgl: '@tensorflow/tfjs-backend-webgl',
};

function recorded(env: Environment, field: keyof Environment, where: string): string {
  const v = String(env[field] ?? '').replace(/^v/, '');
  if (!SEMVER.test(v)) {
    throw new LockstepError(
      'E_LEDGER',
      `${where}: study.environment.${field}: expected a version like 20.11.1, got ${JSON.stringify(env[field])}`,
    );
  }
  return v;
}

interface Lockfile {
  version?: string;
  packages?: Record<string, { version?: string }>;
}

/**
 * Writes Dockerfile, package-lock.json, ledger.jsonl, replay.sh and README.txt into `dir`.
 * `lockfile` defaults to the installed lockstep's own package-lock.json.
 */
export function exportEnvironment(
  ledger: string,
  dir: string,
  options: { lockfile?: string } = {},
): RebuildFiles {
  const summary = summarize(ledger);
  const { study } = summary.state;
  const env = study.environment;
  const node = recorded(env, 'node', ledger);
  const lockstep = recorded(env, 'lockstep', ledger);
  const tfjs = recorded(env, 'tfjs', ledger);
  const backend = env.backend;
  const backendPackage = backend === null ? null : (BACKEND_PACKAGES[backend] ?? null);
  const backendVersion = backendPackage === null ? null : recorded(env, 'backendVersion', ledger);
  const pins: [string, string][] = [
    ['@tensorflow/tfjs-core', tfjs],
    ...(backendPackage && backendVersion ? ([[backendPackage, backendVersion]] as [string, string][]) : []),
  ];
  const warnings: string[] = [];
  if (backend !== null && backendPackage === null)
    warnings.push(`backend ${backend}: no known npm package to pin`);

  const lockfile = options.lockfile ?? join(packageRoot(), 'package-lock.json');
  if (!existsSync(lockfile)) throw new NotFoundError(`lockfile ${lockfile} does not exist`);
  let lock: Lockfile;
  try {
    lock = JSON.parse(readFileSync(lockfile, 'utf8')) as Lockfile;
  } catch (e) {
    throw new LockstepError(
      'E_DATA',
      `${lockfile}: not a JSON lockfile (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (lock.version !== undefined && lock.version !== lockstep) {
    warnings.push(`the lockfile is lockstep ${lock.version}'s, the study was run with lockstep ${lockstep}`);
  }
  for (const [name, v] of pins) {
    const locked = lock.packages?.[`node_modules/${name}`]?.version;
    if (locked !== undefined && locked !== v)
      warnings.push(`the lockfile pins ${name} ${locked}, the study recorded ${v}`);
  }

  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new LockstepError('E_IO', `cannot create ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const files: string[] = [];
  const write = (name: string, text: string, mode?: number) => {
    writeFileSync(join(dir, name), text, mode === undefined ? undefined : { mode });
    files.push(name);
  };
  copyFileSync(lockfile, join(dir, 'package-lock.json'));
  files.push('package-lock.json');
  copyFileSync(ledger, join(dir, 'ledger.jsonl'));
  files.push('ledger.jsonl');

  // A dataset file (not a built-in) travels with the study; replay checks its hash.
  let datasetArg = '';
  const source = study.dataset?.source;
  if (source !== undefined && !source.startsWith('builtin:')) {
    if (existsSync(source)) {
      mkdirSync(join(dir, 'dataset'), { recursive: true });
      const name = `dataset/${basename(source)}`;
      copyFileSync(source, join(dir, name));
      files.push(name);
      datasetArg = ` --dataset ${shellQuote(name)}`;
    } else {
      warnings.push(`dataset ${source} is not on this machine: give it to replay.sh with --dataset`);
    }
  }

  const best = summary.best;
  // Fails the build when what npm installed is not what the study recorded.
  const check = [
    `const v=(p)=>require(p).version,bad=[];`,
    `if(v('/opt/lockstep/package.json')!=='${lockstep}')bad.push('lockstep');`,
    ...pins.map(
      ([name, ver]) =>
        `if(v('/opt/lockstep/node_modules/${name}/package.json')!=='${ver}')bad.push('${name}');`,
    ),
    `if(bad.length){console.error('not the recorded version: '+bad.join(', '));process.exit(1)}`,
  ].join('');
  write(
    'Dockerfile',
    `# Rebuilds the environment study ${study.name} (key ${study.key}) recorded: node ${node}, lockstep ${lockstep},
# @tensorflow/tfjs ${tfjs}${backendPackage ? `, ${backendPackage} ${backendVersion}` : ''} on ${env.platform} ${env.arch}.
# Build: docker build -t lockstep-${study.key} .   Run: docker run --rm lockstep-${study.key}
FROM node:${node}-bookworm-slim
WORKDIR /opt/lockstep
# lockstep ${lockstep} as published, with its whole dependency tree pinned by the study's lockfile.
RUN npm pack lockstep@${lockstep} --silent && tar -xzf lockstep-${lockstep}.tgz --strip-components=1 && rm lockstep-${lockstep}.tgz
COPY package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
RUN node -e "${check}" && ln -s /opt/lockstep/bin/lockstep.js /usr/local/bin/lockstep
WORKDIR /study
COPY . /study
ENV LOCKSTEP=lockstep
CMD ["sh", "/study/replay.sh"]
`,
  );
  write(
    'replay.sh',
    best
      ? `#!/bin/sh
# Replays the best trial of study ${study.name}: ${best.id} (${summary.metric} = ${best.score}),
# retraining it and comparing every recorded number and the weights hash. Exit 0 only when exact.
set -eu
cd "$(dirname "$0")"
exec \${LOCKSTEP:-npx lockstep} replay ${best.id} --ledger ledger.jsonl${datasetArg}
`
      : `#!/bin/sh
# Study ${study.name} has no complete trial: there is no best trial to replay.
echo "replay.sh: study ${study.name} has no complete trial to replay" >&2
exit 1
`,
    0o755,
  );
  const lines = [
    `Study ${study.name} (key ${study.key}, seed ${study.seed})`,
    '',
    'Recorded environment (from the ledger, not from the machine that wrote this folder):',
    `  lockstep         ${env.lockstep}`,
    `  numeric          ${env.numeric}`,
    `  node             ${env.node}`,
    `  tfjs             ${env.tfjs}`,
    `  backend          ${env.backend ?? '-'}${env.backendVersion ? ` ${env.backendVersion}` : ''}${backendPackage ? ` (${backendPackage})` : ''}`,
    `  platform         ${env.platform} ${env.arch}`,
    `  cpu              ${env.cpu}`,
    '',
    `Dataset: ${study.dataset ? `${study.dataset.source}, ${study.dataset.rows} rows, sha256 ${study.dataset.hash}` : '-'}`,
    `Best trial: ${best ? `${best.id} (${summary.metric} = ${best.score})` : 'none'}`,
    '',
    'Files:',
    '  Dockerfile         node:<recorded>-bookworm-slim, lockstep and its dependencies pinned and checked',
    '  package-lock.json  the lockfile of the lockstep that wrote this folder',
    '  ledger.jsonl       the study',
    '  replay.sh          replays the best trial (docker run, or sh replay.sh where lockstep is installed)',
    '',
    'A replay on another platform or CPU may say `close` rather than `exact`: the backend is the same, the',
    'hardware is not. Docker pins the software, not the CPU.',
    ...(warnings.length > 0 ? ['', 'Warnings:', ...warnings.map((w) => `  - ${w}`)] : []),
    '',
  ];
  write('README.txt', lines.join('\n'));
  return { dir, files, warnings, node, best: best?.id ?? null };
}
