/**
 * `npm run admin -- grant <email>`: makes an account an operator (the `admins` group), which is
 * how the first admin is made; `revoke <email>` takes it back; `list` names the admins. It works
 * on the data folder (`DATA_DIR`) directly, while Stratus runs or not: the console checks the
 * group on every request, so a grant or revoke counts at once (the token's `cognito:groups`,
 * which only shows or hides the console's link, follows at the next sign-in or refresh).
 * Each grant and revoke is written to the audit log, by "the command line" from this host.
 */
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/adapters/local/database.ts';
import { LocalIdentity } from '../src/adapters/local/local-identity.ts';
import { OutboxNotifier } from '../src/adapters/local/outbox-notifier.ts';
import { SqliteTable } from '../src/adapters/local/sqlite-table.ts';
import { loadOrCreateSigningKeys } from '../src/adapters/local/token-keys.ts';
import { AuditLog } from '../src/apps/admin/audit.ts';
import { loadConfig } from '../src/local/config.ts';
import { LOCAL_CLIENT_ID } from '../src/local/runtime.ts';
import { ADMINS_GROUP } from '../src/platform/identity.ts';

const USAGE = 'usage: npm run admin -- grant <email> | revoke <email> | list';

async function main(args: string[]): Promise<number> {
  const [command, email] = args;
  if (!(command === 'list' || ((command === 'grant' || command === 'revoke') && email))) {
    console.error(USAGE);
    return 64; // EX_USAGE
  }
  const config = loadConfig(process.env);
  const db = openDatabase(join(config.dataDir, 'stratus.db'));
  try {
    const identity = new LocalIdentity({
      db,
      keys: await loadOrCreateSigningKeys(config.dataDir),
      notifier: new OutboxNotifier(join(config.dataDir, 'outbox')),
      issuer: config.publicUrl,
      clientId: LOCAL_CLIENT_ID,
    });
    if (command === 'list') {
      const admins = [];
      let after: string | undefined;
      do {
        const page = await identity.listUsers({ limit: 100, ...(after ? { after } : {}) });
        admins.push(...page.users.filter((user) => user.groups.includes(ADMINS_GROUP)));
        after = page.next;
      } while (after);
      console.log(admins.length > 0 ? admins.map((user) => `${user.email}  ${user.sub}`).join('\n') : 'No admins yet.');
      return 0;
    }
    const sub = await identity.userSubByEmail(email as string);
    if (!sub) {
      console.error(`No account uses ${email}: sign up first, then grant.`);
      return 65; // EX_DATAERR
    }
    if (command === 'grant') await identity.addToGroup(sub, ADMINS_GROUP);
    else await identity.removeFromGroup(sub, ADMINS_GROUP);
    await new AuditLog(new SqliteTable(db), { now: () => Date.now() }).record({
      actor: { sub: 'command-line', email: `${userInfo().username}@${hostname()}` },
      action: command === 'grant' ? 'admin.grant' : 'admin.revoke',
      target: sub,
      origin: { address: 'local' },
      details: { email: email as string },
    });
    console.log(
      command === 'grant'
        ? `${email} is now an admin: the console is at /admin (sign in again to see its link).`
        : `${email} is no longer an admin.`,
    );
    return 0;
  } finally {
    db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
