import type { EventBridgeEvent } from './notifications.js';
import type { Rng } from './random.js';
import type { SnsNotificationEnvelope, SnsSigner } from './sns-signer.js';

export type SimSinkKind = 'sns' | 'eventbridge';

/**
 * Where the simulator delivers what AWS would push:
 * - `callback`: in process, `(kind, payload)` with the SNS HTTP envelope or the EventBridge event;
 * - `sns-http`: HTTP POST of the signed SNS envelope, as an SNS HTTPS subscription does;
 * - `eventbridge-http`: HTTP POST of the event JSON, as an EventBridge API destination does.
 */
export type AwsSimSink =
  | {
      readonly kind: 'callback';
      readonly fn: (kind: SimSinkKind, payload: unknown) => void | Promise<void>;
      /** Only these topics (SNS); default all. */
      readonly topicArns?: readonly string[];
      /** Only these detail types (EventBridge); default all. */
      readonly detailTypes?: readonly string[];
    }
  | {
      readonly kind: 'sns-http';
      readonly url: string;
      readonly topicArns?: readonly string[];
      /** Raw message delivery: POST the message itself instead of the envelope. */
      readonly rawMessageDelivery?: boolean;
    }
  | {
      readonly kind: 'eventbridge-http';
      readonly url: string;
      /** The API destination's connection: an API-key header, or basic auth. */
      readonly apiKey?: { readonly header: string; readonly value: string };
      readonly basicAuth?: { readonly username: string; readonly password: string };
      readonly detailTypes?: readonly string[];
    };

export interface DeliveryRecord {
  readonly seq: number;
  readonly kind: SimSinkKind;
  readonly sink: AwsSimSink['kind'];
  readonly url?: string;
  readonly topicArn?: string;
  readonly detailType?: string;
  readonly messageId: string;
  /** HTTP status of an HTTP sink, 0 when the POST failed before a response. */
  readonly status?: number;
  readonly error?: string;
}

export interface SnsPublication {
  readonly topicArn: string;
  readonly envelope: SnsNotificationEnvelope;
  readonly message: string;
}

export interface DeliveriesOptions {
  readonly signer: SnsSigner;
  readonly signatureVersion: '1' | '2';
  readonly rng: Rng;
  /** Simulated now (epoch ms) for envelope timestamps. */
  readonly now: () => number;
  /** The simulator's base URL (for SigningCertURL / UnsubscribeURL). */
  readonly baseUrl: () => string;
  readonly onError: (err: unknown) => void;
  /** Entries kept in `records`, `published` and `events` (oldest dropped); default 10,000. */
  readonly historyLimit?: number;
}

export const SIGNING_CERT_PATH = '/SimpleNotificationService-patchbridge-sim.pem';

/** Fans SNS publications and EventBridge events out to the registered sinks. */
export class Deliveries {
  readonly #options: DeliveriesOptions;
  readonly #sinks: AwsSimSink[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #subscriptionIds = new Map<string, string>();
  #seq = 0;
  /** Every delivery attempt, oldest first. */
  readonly records: DeliveryRecord[] = [];
  /** Every SNS publication (with its signed envelope), oldest first. */
  readonly published: SnsPublication[] = [];
  /** Every EventBridge event emitted, oldest first. */
  readonly events: EventBridgeEvent[] = [];

  constructor(options: DeliveriesOptions) {
    this.#options = options;
  }

  /** Appends, dropping the oldest entries past the limit: a long-running sandbox must not grow forever. */
  #keep<T>(list: T[], item: T): void {
    list.push(item);
    const limit = this.#options.historyLimit ?? 10_000;
    if (list.length > limit) list.splice(0, list.length - limit);
  }

  add(sink: AwsSimSink): () => void {
    this.#sinks.push(sink);
    return () => {
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks.splice(i, 1);
    };
  }

  get sinks(): readonly AwsSimSink[] {
    return this.#sinks;
  }

  /** Resolves once every delivery started so far has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Publishes to a topic: builds and signs the envelope, then delivers to matching sinks. */
  publishSns(
    topicArn: string,
    message: string,
    subject?: string,
    attributes?: Readonly<Record<string, { Type: string; Value: string }>>,
  ): SnsNotificationEnvelope {
    const base = this.#options.baseUrl();
    const messageId = this.#options.rng.uuid();
    const subscriptionArn = this.#subscriptionArn(topicArn);
    const unsigned = {
      Type: 'Notification' as const,
      MessageId: messageId,
      TopicArn: topicArn,
      ...(subject === undefined ? {} : { Subject: subject }),
      Message: message,
      Timestamp: new Date(this.#options.now()).toISOString(),
      SignatureVersion: this.#options.signatureVersion,
      SigningCertURL: `${base}${SIGNING_CERT_PATH}`,
      UnsubscribeURL: `${base}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`,
      ...(attributes && Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
    };
    const signature = this.#options.signer.sign(unsigned);
    // Field order as SNS sends it: Signature right after SignatureVersion.
    const { SigningCertURL, UnsubscribeURL, MessageAttributes, ...head } = unsigned;
    const envelope: SnsNotificationEnvelope = {
      ...head,
      Signature: signature,
      SigningCertURL,
      UnsubscribeURL,
      ...(MessageAttributes ? { MessageAttributes } : {}),
    };
    this.#keep(this.published, { topicArn, envelope, message });
    for (const sink of this.#sinks) {
      if (sink.kind === 'eventbridge-http') continue;
      if (sink.topicArns && !sink.topicArns.includes(topicArn)) continue;
      if (sink.kind === 'callback') {
        this.#track(this.#callback(sink, 'sns', envelope, { topicArn, messageId }));
        continue;
      }
      const body = sink.rawMessageDelivery ? message : JSON.stringify(envelope);
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=UTF-8',
        'user-agent': 'Amazon Simple Notification Service Agent',
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-message-id': messageId,
        'x-amz-sns-topic-arn': topicArn,
        'x-amz-sns-subscription-arn': subscriptionArn,
      };
      if (sink.rawMessageDelivery) headers['x-amz-sns-rawdelivery'] = 'true';
      this.#track(this.#post(sink, 'sns', body, headers, { topicArn, messageId }));
    }
    return envelope;
  }

  emitEvent(event: EventBridgeEvent): void {
    this.#keep(this.events, event);
    for (const sink of this.#sinks) {
      if (sink.kind === 'sns-http') continue;
      if (sink.detailTypes && !sink.detailTypes.includes(event['detail-type'])) continue;
      const meta = { detailType: event['detail-type'], messageId: event.id };
      if (sink.kind === 'callback') {
        this.#track(this.#callback(sink, 'eventbridge', event, meta));
        continue;
      }
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Amazon/EventBridge/ApiDestinations',
      };
      if (sink.apiKey) headers[sink.apiKey.header.toLowerCase()] = sink.apiKey.value;
      if (sink.basicAuth) {
        headers['authorization'] = `Basic ${Buffer.from(`${sink.basicAuth.username}:${sink.basicAuth.password}`).toString('base64')}`;
      }
      this.#track(this.#post(sink, 'eventbridge', JSON.stringify(event), headers, meta));
    }
  }

  #subscriptionArn(topicArn: string): string {
    let id = this.#subscriptionIds.get(topicArn);
    if (!id) {
      id = this.#options.rng.uuid();
      this.#subscriptionIds.set(topicArn, id);
    }
    return `${topicArn}:${id}`;
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p));
  }

  async #callback(
    sink: Extract<AwsSimSink, { kind: 'callback' }>,
    kind: SimSinkKind,
    payload: unknown,
    meta: { topicArn?: string; detailType?: string; messageId: string },
  ): Promise<void> {
    // A tick later, as AWS delivers after the API call that caused it has returned.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      await sink.fn(kind, payload);
      this.#keep(this.records, { seq: this.#seq++, kind, sink: 'callback', ...meta });
    } catch (err) {
      this.#keep(this.records, { seq: this.#seq++, kind, sink: 'callback', ...meta, error: String(err) });
      this.#options.onError(err);
    }
  }

  async #post(
    sink: Extract<AwsSimSink, { kind: 'sns-http' | 'eventbridge-http' }>,
    kind: SimSinkKind,
    body: string,
    headers: Record<string, string>,
    meta: { topicArn?: string; detailType?: string; messageId: string },
  ): Promise<void> {
    try {
      const res = await fetch(sink.url, { method: 'POST', headers, body });
      await res.arrayBuffer();
      this.#keep(this.records, { seq: this.#seq++, kind, sink: sink.kind, url: sink.url, ...meta, status: res.status });
    } catch (err) {
      // An unreachable endpoint is a delivery failure AWS would retry; here it is recorded, not thrown.
      this.#keep(this.records, { seq: this.#seq++, kind, sink: sink.kind, url: sink.url, ...meta, status: 0, error: String(err) });
    }
  }
}
