import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Message, type Notifier, type SentMessage, stableMessageId } from '../../platform/notifier.ts';
import { writeFileAtomic } from './files.ts';

/**
 * Keeps every message as one JSON file under `DATA_DIR/outbox/`, so on one machine each mail
 * and SMS can be read (and the dev page lists them) without any mail server.
 */
export class OutboxNotifier implements Notifier {
  constructor(private readonly directory: string) {}

  async send(message: Message): Promise<{ messageId: string }> {
    const createdAt = new Date().toISOString();
    const messageId = message.id ? stableMessageId(message.id) : randomUUID();
    const sent: SentMessage = { ...message, messageId, createdAt };
    // The time first, so the file names sort in sending order.
    const name = `${createdAt.replace(/[:.]/g, '-')}-${messageId}.json`;
    await writeFileAtomic(join(this.directory, name), `${JSON.stringify(sent, null, 2)}\n`);
    return { messageId };
  }

  /** Messages newest first, optionally only those to one address. */
  async list(filter: { to?: string } = {}): Promise<SentMessage[]> {
    let names: string[];
    try {
      names = (await readdir(this.directory)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const messages = await Promise.all(
      names
        .sort()
        .reverse()
        .map(async (n) => JSON.parse(await readFile(join(this.directory, n), 'utf8')) as SentMessage),
    );
    const to = filter.to?.toLowerCase();
    return to ? messages.filter((m) => m.to.toLowerCase() === to) : messages;
  }
}
