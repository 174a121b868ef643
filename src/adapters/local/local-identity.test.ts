import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityContract } from '../../../test/contracts/identity.contract.ts';
import { TestClock } from '../../../test/support/clock.ts';
import { openDatabase } from './database.ts';
import { LocalIdentity } from './local-identity.ts';
import { OutboxNotifier } from './outbox-notifier.ts';
import { loadOrCreateSigningKeys } from './token-keys.ts';

identityContract('built-in issuer (SQLite)', async (hooks) => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-identity-'));
  const db = openDatabase(join(dir, 'identity.db'));
  const outbox = new OutboxNotifier(join(dir, 'outbox'));
  const clock = new TestClock();
  const identity = new LocalIdentity({
    db,
    keys: await loadOrCreateSigningKeys(dir),
    notifier: outbox,
    issuer: 'https://stratus.test',
    clientId: 'contract-client',
    hooks,
    clock,
  });
  return {
    identity,
    async readCode(email) {
      const [latest] = await outbox.list({ to: email });
      const code = latest?.text.match(/\b\d{6}\b/)?.[0];
      if (!code) throw new Error(`no code was mailed to ${email}`);
      return code;
    },
    now: () => clock.now(),
    advance: async (ms) => clock.advance(ms),
    async close() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
