export { KeystoreUsageSink } from './keystore-usage-sink.ts';
export { UsageRecorder, type UsageEntry, type UsageSink } from './usage-recorder.ts';
