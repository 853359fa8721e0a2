import { Readable } from 'node:stream';
import { BlobError } from '../../../src/blobs/index.js';
import type { BlobInfo, BlobStore } from '../../../src/blobs/index.js';

/**
 * A BlobStore fake for unit tests: objects in a Map, bodies fully read on put.
 * `presignBase` makes it behave like S3 (a URL with X-Amz-Expires); without it
 * it behaves like the file store (no presign).
 */
export function memoryBlobs(options: { presignBase?: string } = {}): BlobStore & { readonly objects: Map<string, { body: Buffer; contentType?: string }> } {
  const objects = new Map<string, { body: Buffer; contentType?: string }>();
  const info = (key: string, body: Buffer, contentType?: string): BlobInfo => ({ key, size: body.length, lastModified: new Date(0), ...(contentType ? { contentType } : {}) });
  return {
    objects,
    async put(key, body, opts) {
      let buf: Buffer;
      if (typeof body === 'string') buf = Buffer.from(body);
      else if (Buffer.isBuffer(body)) buf = body;
      else {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
        buf = Buffer.concat(chunks);
      }
      objects.set(key, { body: buf, ...(opts?.contentType ? { contentType: opts.contentType } : {}) });
      return info(key, buf, opts?.contentType);
    },
    async get(key) {
      const o = objects.get(key);
      if (!o) throw new BlobError('NOT_FOUND', `no object ${key}`);
      return Readable.from([o.body]);
    },
    async head(key) {
      const o = objects.get(key);
      return o ? info(key, o.body, o.contentType) : undefined;
    },
    async *list(prefix) {
      for (const key of [...objects.keys()].sort()) {
        const o = objects.get(key);
        if (o && key.startsWith(prefix)) yield info(key, o.body, o.contentType);
      }
    },
    async delete(key) {
      objects.delete(key);
    },
    async presign(key, expiresInSeconds) {
      if (!options.presignBase) return undefined;
      return `${options.presignBase}/${key}?X-Amz-Expires=${Math.min(expiresInSeconds, 604800)}&X-Amz-Signature=fake`;
    },
  };
}
