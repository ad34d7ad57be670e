import type { IPublishPacket, MqttClient, Packet } from 'mqtt';

/**
 * The one place that touches mqtt.js internals (mqtt 5.16). mqtt.js hands each incoming
 * PUBLISH to `client.handleMessage(packet, callback)`; calling the callback without an error
 * sends the QoS 1 PUBACK and lets mqtt.js read the next packet, calling it WITH an error makes
 * mqtt.js read on and send no PUBACK. To acknowledge later, out of that callback, the PUBACK is
 * written with the client's own `_sendPacket` (the packet queue mqtt.js uses itself, so it stays
 * ordered with every other packet it writes). `mqtt-puback-adapter.int-spec.ts` pins this
 * contract against the real mqtt.js and Mosquitto: a version that behaves differently fails it.
 */

/** Given to mqtt.js' handleMessage callback: read the next packet, send no PUBACK now. */
const DEFER_ACK = new Error('PUBACK deferred until the message is handled');

type SendPacket = (packet: Packet, callback?: () => void) => void;

/** Receives each PUBLISH; `readNext` lets mqtt.js read the next packet (PUBACK not sent). */
export type PublishReceiver = (packet: IPublishPacket, readNext: () => void) => void;

/** An mqtt.js client whose PUBACKs are sent by us, when we decide, not by mqtt.js. */
export interface DeferredAckClient {
  /** Sends the PUBACK of `messageId` now (only on the connection the message came on). */
  puback(messageId: number): void;
}

/**
 * Takes over the PUBLISH handling of `client`: every PUBLISH goes to `receive`, and no PUBACK
 * leaves unless `puback` is called. Throws at once on an mqtt.js without `_sendPacket`.
 */
export function deferPubacks(client: MqttClient, receive: PublishReceiver): DeferredAckClient {
  const send = (client as unknown as { _sendPacket?: unknown })._sendPacket;
  if (typeof send !== 'function') {
    throw new Error(
      'mqtt.js has no _sendPacket: PUBACKs cannot be deferred with this version (built for mqtt 5.16)',
    );
  }
  const sendPacket = (send as SendPacket).bind(client);
  client.handleMessage = (packet, callback) => receive(packet, () => callback(DEFER_ACK));
  return {
    puback: (messageId) => sendPacket({ cmd: 'puback', messageId, reasonCode: 0 } as Packet),
  };
}
