import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HashBank } from '../src/bank/hash-bank.js';
import { readBankFile, writeBankFile } from '../src/cli/bank-file.js';
import { bankFile, dataDir } from '../src/cli/data-dir.js';

describe('CLI state files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modcli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the bank under GANMOD_DATA_DIR when set', () => {
    expect(dataDir({ GANMOD_DATA_DIR: dir })).toBe(dir);
    expect(bankFile({ GANMOD_DATA_DIR: dir })).toBe(join(dir, 'moderation', 'hash-bank.json'));
  });

  it('round-trips the bank file and starts empty when it is missing', async () => {
    const path = bankFile({ GANMOD_DATA_DIR: dir });
    expect((await readBankFile(path)).size).toBe(0);
    const bank = HashBank.fromRows([{ hash: 'c'.repeat(64), label: 'terror', source: 'case-1' }]);
    await writeBankFile(path, bank);
    expect((await readBankFile(path)).toRows()).toEqual(bank.toRows());
  });

  it('refuses a file that is not a bank, naming it', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ rows: 1 }));
    await expect(readBankFile(path)).rejects.toThrow(/bad\.json is not a hash bank file/);
  });
});
