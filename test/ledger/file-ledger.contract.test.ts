import { join } from 'node:path';
import { createLedger, openLedger } from '../../src/ledger/index.js';
import { ledgerContract } from './contract.js';
import { tempDir } from './fixtures.js';

ledgerContract('FileLedger', () => {
  const { dir, cleanup } = tempDir();
  return {
    create: (study) => createLedger(join(dir, 'study', 'ledger.jsonl'), study),
    reopen: (location) => openLedger(location),
    cleanup,
  };
});
