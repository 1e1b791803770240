/**
 * The README cannot rot: its config-key table lists exactly the schema's keys, its MLP table the MLP's
 * parameters and defaults, its CLI table every command; every YAML example in it parses; the churn
 * example it shows is the file in examples/ verbatim, and that example runs: search, then predict.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseSuite } from '../../src/bench/suite.js';
import { parseSpace } from '../../src/space/index.js';
import { parseStudyConfig, StudyConfigSchema } from '../../src/study/config.js';
import { ACTIVATIONS, MLP_DEFAULTS, OPTIMIZERS } from '../../src/train/params.js';
import { cli, jsonOut, ROOT, tempDir } from '../helpers/cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The rows of the markdown table that follows `heading` (first cells, backticks removed). */
function tableAfter(marker: string): string[][] {
  const at = README.indexOf(marker);
  expect(at, marker).toBeGreaterThanOrEqual(0);
  const lines = README.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}
const code = (cell: string) => /^`([^`]+)`/.exec(cell)?.[1] ?? cell;

function fencedBlocks(lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g');
  for (let m = re.exec(README); m !== null; m = re.exec(README)) out.push(m[1]!);
  return out;
}

describe('README', () => {
  it('lists exactly the study config keys', () => {
    const documented = tableAfter('Every key (JSON or YAML').map((r) => code(r[0]!));
    expect([...documented].sort()).toEqual(Object.keys(StudyConfigSchema.shape).sort());
  });

  it("lists the MLP's parameters with their defaults and accepted values", () => {
    const rows = tableAfter('### The built-in MLP');
    const names = rows.map((r) => code(r[0]!));
    expect([...names].sort()).toEqual(Object.keys(MLP_DEFAULTS).sort());
    for (const r of rows) {
      const name = code(r[0]!) as keyof typeof MLP_DEFAULTS;
      expect(r[1]!.replaceAll('`', ''), name).toBe(String(MLP_DEFAULTS[name]));
    }
    const accepted = Object.fromEntries(rows.map((r) => [code(r[0]!), r[2]!]));
    for (const a of ACTIVATIONS) expect(accepted.activation).toContain(`\`${a}\``);
    for (const o of OPTIMIZERS) expect(accepted.optimizer).toContain(`\`${o}\``);
  });

  it('names every parameter of the mlp-default preset', () => {
    const at = README.indexOf('The preset `mlp-default`:');
    const text = README.slice(at, README.indexOf('\n\n', at));
    for (const p of parseSpace('mlp-default').params) expect(text).toContain(`\`${p.name}\``);
  });

  it('has a CLI table row for every command', async () => {
    const help = await cli(['--help']);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThan(10);
    const documented = tableAfter('## The CLI').map((r) => /^`lockstep ([a-z-]+)/.exec(r[0]!)?.[1]);
    for (const c of commands) expect(documented, c).toContain(c);
  });

  it('has YAML examples that parse: every study config, space and bench suite', () => {
    let checked = 0;
    for (const block of fencedBlocks('yaml')) {
      let doc: unknown;
      try {
        doc = parseYaml(block);
      } catch {
        continue; // an excerpt of alternatives (several `pruner:` lines), not a document
      }
      if (doc === null || typeof doc !== 'object') continue;
      const d = doc as Record<string, unknown>;
      if (d.problems !== undefined) {
        parseSuite(d, 'README');
        checked++;
      } else if (typeof d.name === 'string') {
        parseStudyConfig(d, 'README');
        checked++;
      } else if (d.space !== undefined) {
        parseSpace(d.space);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('shows examples/churn/churn.yaml verbatim, and the example runs: search, then predict', async () => {
    const churn = readFileSync(join(ROOT, 'examples/churn/churn.yaml'), 'utf8');
    expect(fencedBlocks('yaml')).toContain(churn);
    const out = tempDir();
    const s = await cli(['search', join(ROOT, 'examples/churn/churn.yaml'), '--out', out, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(jsonOut(s).complete).toBe(12);
    const p = await cli([
      'predict',
      join(out, 'churn', 'best'),
      join(ROOT, 'examples/churn/churn.csv'),
      '--proba',
      '--json',
    ]);
    expect(p.code, p.stderr).toBe(0);
    const r = jsonOut(p);
    expect(r.rows).toBe(600);
    expect(r.classes).toEqual(['no', 'yes']);
    expect(r.ignoredColumns).toEqual(['customer_id']);
    expect((r.metrics as { roc_auc: number }).roc_auc).toBeGreaterThan(0.8);
  });
});
