export {
  loadConfig,
  parseConfigText,
  resolveConfig,
  ConfigFileSchema,
  type AdminCredentials,
  type ConfigFile,
  type ConfigOverrides,
  type LoadConfigOptions,
  type VigilConfig,
} from './config-file.js';
export {
  StreamWireSchema,
  StreamNameSchema,
  StreamDvrWireSchema,
  STREAM_NAME_HINT,
  checkStreamName,
  streamToWire,
  toStreamDefinition,
  type StreamContext,
  type StreamWire,
  type StreamWireOutput,
} from './stream-schema.js';
export { parseDiskLimit, filesystemSizeBytes, type DiskLimitWire } from './disk-limit.js';
export {
  checkSchema,
  describeExpected,
  schemaErrorToVigil,
  type RawSchemaError,
  type SchemaErrorOptions,
} from './schema-errors.js';
export * from './stream-types.js';
