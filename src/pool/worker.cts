/**
 * piscina's entry for the pool's worker threads: a CommonJS file that imports the ES module thread-entry.js
 * (compiled to dist/pool/worker.cjs). piscina requires its worker file; Node ≥ 20.19 loads a required ES module
 * through require(esm), and a worker terminated while that linked aborted the whole process (a native assertion
 * in Node's CreateRequiredModuleFacade: seen once in CI, when a study refused before its first trial dropped the
 * workers it had started early). import() does not go through that path.
 */
type Entry = typeof import('./thread-entry.js');
type Request = Parameters<Entry['default']>[0];

const entry: Promise<Entry['default']> = import('./thread-entry.js').then((m) => m.default);
// An unobserved rejection would end the thread before a task could report it.
entry.catch(() => undefined);

async function runInWorker(req: Request): ReturnType<Entry['default']> {
  return await (await entry)(req);
}

export = runInWorker;
