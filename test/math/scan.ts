/**
 * The transcendental-Math scan used by test/math/no-math.test.ts: which lines of a source text
 * call V8's exp/log/pow/trig (directly, by index or destructured) or use `**`.
 */
const NAMES =
  'exp|expm1|log|log1p|log2|log10|pow|sin|cos|tan|tanh|atan|atan2|sinh|cosh|asin|acos|asinh|acosh|atanh|cbrt|hypot';

/** The offending lines of one source text (comments removed first). */
export function offences(text: string): string[] {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const call = new RegExp(`Math\\s*(\\.\\s*(${NAMES})\\b|\\[)`);
  const destructure = new RegExp(`\\{[^}]*\\b(${NAMES})\\b[^}]*\\}\\s*=\\s*Math\\b`);
  const power = /[\])\w.]\s*\*\*\s*[-(\w.]|\*\*=/;
  return code
    .split('\n')
    .flatMap((line, i) =>
      call.test(line) || destructure.test(line) || power.test(line) ? [`${i + 1}: ${line.trim()}`] : [],
    );
}
