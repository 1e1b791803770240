/** Hostile inputs for the config parser and the CSV loader (fast-check arbitraries), shared with scripts/fuzz.mjs's logic. */
import fc from 'fast-check';

const cell = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '',
    'NA',
    '"',
    '""',
    '"a,b"',
    '"x\ny"',
    '\r',
    '\uFEFF',
    '1e309',
    '-0',
    'NaN',
    'true',
    ' ',
    '\t',
    '\u0000',
  ),
  fc.double().map(String),
  fc.integer().map(String),
);

/** CSV text: a header and rows of arbitrary cells, joined by arbitrary separators and line ends. */
export const csvText = fc
  .record({
    bom: fc.boolean(),
    header: fc.array(cell, { minLength: 0, maxLength: 6 }),
    rows: fc.array(fc.array(cell, { minLength: 0, maxLength: 7 }), { maxLength: 12 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    sep: fc.constantFrom(',', '\t', ';'),
  })
  .map(
    ({ bom, header, rows, eol, sep }) =>
      `${bom ? '\uFEFF' : ''}${[header, ...rows].map((r) => r.join(sep)).join(eol)}`,
  );

/** Raw bytes, some valid UTF-8 and some not. */
export const rawBytes = fc.uint8Array({ maxLength: 200 });

const scalar = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const fieldName = fc.constantFrom(
  'name',
  'seed',
  'dataset',
  'target',
  'task',
  'columns',
  'exclude',
  'split',
  'metric',
  'direction',
  'objective',
  'space',
  'params',
  'sampler',
  'pruner',
  'parallelism',
  'budget',
  'backend',
  'refit',
  'trial_timeout_s',
  'worker_memory_mb',
  'kind',
  'train',
  'validation',
  'test',
  'k',
  'fold',
  'trials',
  'minutes',
  'type',
  'low',
  'high',
  'log',
  'step',
  'when',
  'module',
  '__proto__',
  'constructor',
);

/** Config-shaped objects: known field names with arbitrary (nested) values. */
export const configObject = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('object'), fc.array(tie('value'), { maxLength: 4 })),
  object: fc.dictionary(fc.oneof(fieldName, fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 6 }),
})).object;

/** A valid base config with one field replaced by an arbitrary value. */
export const mutatedConfig = fc
  .tuple(fieldName, fc.oneof(scalar, configObject, fc.array(scalar, { maxLength: 3 })))
  .map(([k, v]) => ({
    name: 'fz',
    dataset: 'data.csv',
    target: 'label',
    space: { x: { type: 'float', low: 0, high: 1 } },
    sampler: 'random',
    [k]: v,
  }));

/** YAML-ish text: fragments that exercise anchors, aliases, tags, flow and block syntax. */
export const yamlText = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        'name: fz\n',
        'a: &a [1, 2]\n',
        'b: *a\n',
        'c: *missing\n',
        '<<: *a\n',
        '!!binary x\n',
        '!!js/function f\n',
        '{',
        '}',
        '[',
        ']',
        '- ',
        ': ',
        '? ',
        '|\n  x\n',
        '>\n',
        '---\n',
        '...\n',
        '%YAML 1.2\n',
        '"\\u',
        "'",
        'space: {x: {type: float, low: 0, high: 1}}\n',
        'seed: 1e400\n',
        'seed: -1\n',
        '\t',
        '\uFEFF',
        '#',
      ),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));
