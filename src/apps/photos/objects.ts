import { noSuchKey, type ObjectStore } from '../../platform/objects.ts';

/** An object's bytes in memory: for uploads whose size is already bounded (photos are at most tens of MiB). */
export async function readObject(objects: ObjectStore, key: string): Promise<Buffer> {
  const object = await objects.get(key);
  if (!object) throw noSuchKey(key);
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
