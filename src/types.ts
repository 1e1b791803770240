/**
 * The words every part of lockstep shares. This module imports nothing, so that the trainer, the samplers,
 * the pruners, the ledger and the study can all use it without depending on one another.
 */

/** Which way a study's score is better. */
export type Direction = 'minimize' | 'maximize';

/** How a trial ended: what the ledger records and what samplers and pruners see. */
export const FINISHED_STATES = ['complete', 'pruned', 'failed'] as const;
export type FinishedState = (typeof FINISHED_STATES)[number];
