import { Injectable } from '@nestjs/common';
import { deadLetterNotFound } from '../common/dlq-errors';
import { encodeCursor, parseId, parseListQuery } from './dead-letter-query';
import { toDeadLetterItem, type DeadLetterItem } from './dead-letter-view';
import { DeadLettersRepository, type DeadLetterStats } from './dead-letters.repository';

export interface DeadLetterPage {
  items: DeadLetterItem[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** Reading the store: filtered pages, one dead letter, statistics. */
@Injectable()
export class InspectDeadLettersUseCase {
  constructor(private readonly repository: DeadLettersRepository) {}

  /**
   * Keyset pages in id order, newest first. A page ends strictly below the last id seen, so rows
   * inserted meanwhile (higher ids) never shift a later page: nothing is skipped or repeated.
   */
  async list(query: unknown): Promise<DeadLetterPage> {
    const { filter, limit, beforeId } = parseListQuery(query);
    const rows = await this.repository.list(filter, limit + 1, beforeId);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toDeadLetterItem),
      nextCursor: rows.length > limit && last ? encodeCursor(String(last.id)) : null,
    };
  }

  async get(id: string): Promise<DeadLetterItem> {
    const row = await this.repository.get(parseId(id));
    if (!row) throw deadLetterNotFound(id);
    return toDeadLetterItem(row);
  }

  stats(): Promise<DeadLetterStats> {
    return this.repository.stats();
  }
}
