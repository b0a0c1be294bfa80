export { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker.ts';
export { DeadlineQueue, type Expirable } from './deadline-queue.ts';
export { RoundTripDeadline, type RoundTripDeadlineOptions } from './round-trip-deadline.ts';
