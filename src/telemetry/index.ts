/** Usage metrics and event sinks: the event bus, Prometheus metrics, sinks (see telemetry.ts). */
export { Telemetry, DEFAULT_FLUSH_TIMEOUT_MS, type TelemetryOptions, type ObservedExports } from './telemetry.js';
export type { ServedUsage, ServedKind } from './web-request.js';
export type { DvrUsage, DvrDefaults, DvrUsageArchive } from './dvr-usage.js';
export { EventBus, type EventListener } from './event-bus.js';
export { EventSink, type SinkStats, type SinkTransport } from './event-sink.js';
export { VigilMetrics, statusClass, type ArchiveFigures } from './metrics.js';
export {
  EVENT_NAMES,
  type VigilEvent,
  type VigilEventName,
  type WebRequestEvent,
  type WebRequestKind,
} from './events.js';
