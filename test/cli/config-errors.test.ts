import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, oneLine, tempDir } from '../helpers/cli.js';

/** Writes `text` as a config and runs `search` on it: one line on stderr, exit 2. */
async function refusedConfig(name: string, text: string): Promise<{ path: string; line: string }> {
  const dir = tempDir();
  const path = join(dir, name);
  writeFileSync(path, text);
  const r = await cli(['search', path, '--out', join(dir, 'runs')]);
  expect(r.code, r.stderr).toBe(2);
  return { path, line: oneLine(r) };
}

describe('a config that does not parse: <file>:<line>:<col>: <message>', () => {
  it('YAML: a flow mapping left open', async () => {
    const { path, line } = await refusedConfig(
      'open.yaml',
      'name: x\nseed: 1\nsplit: { kind: holdout, train: 0.6\ndataset: data.csv\n',
    );
    expect(line).toBe(
      `lockstep: ${path}:4:1: not valid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
    );
  });

  it('YAML: a tab as indentation, and a duplicate key', async () => {
    const tab = await refusedConfig('tab.yaml', 'name: x\nspace:\n\tlayers: 2\n');
    expect(tab.line).toBe(`lockstep: ${tab.path}:3:1: not valid YAML: Tabs are not allowed as indentation`);
    const dup = await refusedConfig('dup.yaml', 'name: x\nseed: 1\nseed: 2\n');
    expect(dup.line).toBe(`lockstep: ${dup.path}:3:1: not valid YAML: Map keys must be unique`);
  });

  it('JSON: a trailing comma, and a file cut short', async () => {
    const comma = await refusedConfig('comma.json', '{\n  "name": "x",\n  "seed": 1,\n}\n');
    expect(comma.line).toBe(
      `lockstep: ${comma.path}:4:1: not valid JSON: Expected double-quoted property name`,
    );
    const cut = await refusedConfig('cut.json', '{\n  "name": "x",\n  "seed": 1');
    expect(cut.line).toBe(
      `lockstep: ${cut.path}:3:12: not valid JSON: Expected ',' or '}' after property value`,
    );
    const end = await refusedConfig('end.json', '{\n  "name": "x",\n  "seed": ');
    expect(end.line).toBe(`lockstep: ${end.path}:3:11: not valid JSON: Unexpected end of JSON input`);
  });

  it('JSON without a position in its message keeps the message', async () => {
    // V8 says where for most errors, not for an unexpected token it quotes ("… is not valid JSON").
    const r = await refusedConfig('tok.json', '{"name": tru}');
    expect(r.line).toMatch(
      new RegExp(`^lockstep: ${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:1:\\d+)?: not valid JSON: `),
    );
  });
});
