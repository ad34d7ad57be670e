/** A place in the window, handed out by `add` and given back to `complete`. */
export interface AckTicket {
  done: boolean;
  readonly ack: () => void;
}

/**
 * Acknowledgements in arrival order while the work runs concurrently: MQTT requires a client
 * to send its PUBACKs in the order the PUBLISHes arrived (MQTT 3.1.1 4.6.0-2, MQTT 5 4.6), so a
 * finished message waits for every earlier one before its ack goes out.
 */
export class OrderedAckWindow {
  private queue: AckTicket[] = [];
  private head = 0;

  /** Messages received and not yet acknowledged. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Takes the next place; `ack` runs once this and every earlier place completed. */
  add(ack: () => void): AckTicket {
    const ticket: AckTicket = { done: false, ack };
    this.queue.push(ticket);
    return ticket;
  }

  /** Marks a place done and sends the acks that are now due, in order. */
  complete(ticket: AckTicket): void {
    ticket.done = true;
    while (this.head < this.queue.length) {
      const next = this.queue[this.head] as AckTicket;
      if (!next.done) break;
      this.head += 1;
      next.ack();
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets every place without acknowledging (the connection is gone: the broker re-sends). */
  clear(): number {
    const dropped = this.size;
    this.queue = [];
    this.head = 0;
    return dropped;
  }
}
