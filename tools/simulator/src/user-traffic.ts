import { randomUUID } from 'node:crypto';
import { BadRatioSelector } from './bad-ratio-selector';
import type { Random } from './telemetry-generator';

export const USER_EVENT_TYPES = [
  'page_view',
  'click',
  'add_to_cart',
  'purchase',
  'login',
  'logout',
] as const;
export type UserEventType = (typeof USER_EVENT_TYPES)[number];

/** One event as `POST /events` accepts it (contract `user-activity/1`). */
export interface UserEvent {
  eventId: string;
  userId: string;
  type: UserEventType;
  /** Event time, ISO-8601. */
  ts: string;
  properties?: Record<string, string | number>;
}

/** `sim-user-0001` for index 0. */
export function userIdFor(index: number): string {
  return `sim-user-${String(index + 1).padStart(4, '0')}`;
}

/** How users behave: a burst of events at a human pace, then a pause longer than a session gap. */
export interface SessionShape {
  minBurst: number;
  maxBurst: number;
  /** A user rests at least this long between two bursts (unless nobody else could emit). */
  minIdleMs: number;
  /** The pace of one user in a burst; sets how many users are in a session at once. */
  eventsPerSecondPerUser: number;
}

export const DEFAULT_SESSION_SHAPE: SessionShape = {
  minBurst: 3,
  maxBurst: 25,
  minIdleMs: 5_000,
  eventsPerSecondPerUser: 1,
};

interface UserState {
  userId: string;
  /** Events left in the current burst; 0 while idle. */
  left: number;
  /** Position in the current burst (0 = first event). */
  position: number;
  /** When the last burst ended (epoch ms). */
  idleSince: number;
}

export interface UserTrafficOptions {
  users: number;
  /** The total event rate the traffic will be drawn at, to size the number of concurrent sessions. */
  eventsRate: number;
  now: number;
  random?: Random;
  shape?: SessionShape;
  newEventId?: () => string;
}

const PATHS = [
  '/',
  '/products',
  '/products/42',
  '/cart',
  '/checkout',
  '/account',
  '/search?q=sensor',
];
const ELEMENTS = ['buy-button', 'nav-home', 'nav-cart', 'product-card', 'search-box', 'banner'];
const SKUS = ['SKU-THERMO-1', 'SKU-HYGRO-2', 'SKU-GATEWAY-3', 'SKU-BATTERY-4'];

/**
 * Generates user-activity events as sessions, so session windows show up downstream.
 * About `eventsRate / eventsPerSecondPerUser` users are in a burst at a time; a burst
 * starts with a login or a page view and sometimes ends with a logout; then the user
 * rests at least `minIdleMs` while the longest-resting user takes its place.
 */
export class UserTraffic {
  private readonly users: UserState[];
  private readonly active: UserState[] = [];
  private readonly targetActive: number;
  private readonly random: Random;
  private readonly shape: SessionShape;
  private readonly newEventId: () => string;

  constructor(options: UserTrafficOptions) {
    if (!(options.users >= 1)) throw new RangeError('UserTraffic needs at least one user');
    this.random = options.random ?? Math.random;
    this.shape = options.shape ?? DEFAULT_SESSION_SHAPE;
    this.newEventId = options.newEventId ?? randomUUID;
    const wanted = Math.round(options.eventsRate / this.shape.eventsPerSecondPerUser);
    this.targetActive = Math.min(options.users, Math.max(1, wanted));
    // Everyone starts rested, in a random order of who comes first.
    this.users = Array.from({ length: options.users }, (_, index) => ({
      userId: userIdFor(index),
      left: 0,
      position: 0,
      idleSince: options.now - this.shape.minIdleMs - this.random() * this.shape.minIdleMs,
    }));
  }

  /** The next event, at `now` (epoch ms). */
  next(now: number): UserEvent {
    this.fillSessions(now);
    const index = Math.floor(this.random() * this.active.length);
    const user = this.active[index];
    if (!user) throw new Error('UserTraffic found no user to emit');
    const type = this.typeFor(user);
    user.left -= 1;
    user.position += 1;
    if (user.left === 0) {
      user.idleSince = now;
      this.active.splice(index, 1);
    }
    const event: UserEvent = {
      eventId: this.newEventId(),
      userId: user.userId,
      type,
      ts: new Date(now).toISOString(),
    };
    const properties = this.propertiesFor(type);
    if (properties) event.properties = properties;
    return event;
  }

  /** Starts bursts for rested users up to the target; with nobody active, for the longest-resting one anyway. */
  private fillSessions(now: number): void {
    while (this.active.length < this.targetActive) {
      let best: UserState | undefined;
      for (const user of this.users) {
        if (user.left === 0 && (!best || user.idleSince < best.idleSince)) best = user;
      }
      if (!best) return;
      const rested = best.idleSince + this.shape.minIdleMs <= now;
      if (!rested && this.active.length > 0) return;
      best.left = Math.round(this.between(this.shape.minBurst, this.shape.maxBurst));
      best.position = 0;
      this.active.push(best);
    }
  }

  private typeFor(user: UserState): UserEventType {
    if (user.position === 0) return this.random() < 0.5 ? 'login' : 'page_view';
    if (user.left === 1 && this.random() < 0.5) return 'logout';
    const roll = this.random();
    if (roll < 0.55) return 'page_view';
    if (roll < 0.85) return 'click';
    if (roll < 0.96) return 'add_to_cart';
    return 'purchase';
  }

  private propertiesFor(type: UserEventType): Record<string, string | number> | undefined {
    switch (type) {
      case 'page_view':
        return { path: this.pick(PATHS) };
      case 'click':
        return { element: this.pick(ELEMENTS) };
      case 'add_to_cart':
        return { sku: this.pick(SKUS), quantity: 1 + Math.floor(this.random() * 3) };
      case 'purchase':
        return {
          orderId: `order-${Math.floor(this.random() * 1e9)}`,
          amount: Math.round(this.between(5, 500) * 100) / 100,
          currency: 'EUR',
        };
      case 'login':
      case 'logout':
        return undefined;
    }
  }

  private pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  private between(low: number, high: number): number {
    return low + this.random() * (high - low);
  }
}

/** The ways a simulated client breaks the user-activity contract (the producer should answer 400). */
export const INVALID_EVENT_KINDS = [
  'missing-user-id',
  'bad-timestamp',
  'type-not-a-string',
  'properties-not-an-object',
] as const;
export type InvalidEventKind = (typeof INVALID_EVENT_KINDS)[number];

/** A broken copy of `event`, of a random kind. */
export function invalidUserEvent(
  event: UserEvent,
  random: Random = Math.random,
): Record<string, unknown> {
  const kind =
    INVALID_EVENT_KINDS[Math.floor(random() * INVALID_EVENT_KINDS.length)] ?? 'missing-user-id';
  return invalidUserEventOfKind(kind, event);
}

export function invalidUserEventOfKind(
  kind: InvalidEventKind,
  event: UserEvent,
): Record<string, unknown> {
  switch (kind) {
    case 'missing-user-id': {
      const { userId: _userId, ...rest } = event;
      return rest;
    }
    case 'bad-timestamp':
      return { ...event, ts: 'not a time' };
    case 'type-not-a-string':
      return { ...event, type: 42 };
    case 'properties-not-an-object':
      return { ...event, properties: 'oops' };
  }
}

/** The body of one POST /events, and how many of its events are deliberately invalid. */
export interface EventBatch {
  events: unknown[];
  invalid: number;
}

/** Batches of user events in which the requested share is deliberately invalid. */
export class UserEventBatches {
  private readonly badSelector: BadRatioSelector;
  private readonly random: Random;

  constructor(
    private readonly traffic: UserTraffic,
    private readonly size: number,
    badRatio: number,
    random: Random = Math.random,
  ) {
    this.badSelector = new BadRatioSelector(badRatio);
    this.random = random;
  }

  next(now: number): EventBatch {
    const batch: EventBatch = { events: [], invalid: 0 };
    for (let i = 0; i < this.size; i += 1) {
      const event = this.traffic.next(now);
      if (this.badSelector.next()) {
        batch.invalid += 1;
        batch.events.push(invalidUserEvent(event, this.random));
      } else batch.events.push(event);
    }
    return batch;
  }
}
