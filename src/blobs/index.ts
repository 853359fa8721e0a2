export { type CreateBlobStoreDeps, createBlobStore } from './create-blob-store.js';
export { BlobError, type BlobErrorCode } from './errors.js';
export { createFileBlobStore, type FileBlobStoreOptions } from './file/file-blob-store.js';
export { checkKey, keyProblem, MAX_KEY_BYTES } from './keys.js';
export type { BlobInfo, BlobStore } from './ports.js';
export { attachmentDisposition, createS3BlobStore, MAX_PRESIGN_SECONDS, type S3BlobStoreOptions } from './s3/s3-blob-store.js';
