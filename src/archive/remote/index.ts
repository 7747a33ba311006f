export { RemoteStorage, type RemoteStorageOptions } from './remote-storage.js';
export { LocalFirstSegmentReader, RemoteSegmentReader } from './remote-reader.js';
export { S3SegmentStore, type ExpectedObject, type S3StoreOptions } from './s3-store.js';
export { SegmentUploader, type SegmentUploaderEvents, type UploaderLogger } from './segment-uploader.js';
