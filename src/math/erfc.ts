import { exp } from './exp-log.js';

/**
 * erfc with fractional error < 1.2e-7 everywhere (Numerical Recipes' erfcc); enough for the
 * samplers' kernel weights, and the same bits everywhere since its exp is this folder's.
 */
export function erfc(x: number): number {
  // From x <= -5.86 on, 2 - r rounds to exactly 2 (r < 1e-16; checked on a 1e-5 grid down to -40, and r only
  // shrinks further): the same bits without the exp.
  if (x <= -6.5) return 2;
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
