import { environment, initBackend } from '../train/backend.js';
import { printJson } from './args.js';

export async function run({
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  await initBackend('wasm');
  const env = environment();
  if (values.json) printJson(env);
  else for (const [k, v] of Object.entries(env)) process.stdout.write(`${k.padEnd(15)} ${v}\n`);
  return 0;
}
