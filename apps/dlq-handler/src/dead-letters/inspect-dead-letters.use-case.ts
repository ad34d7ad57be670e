import { Injectable } from '@nestjs/common';
import { deadLetterNotFound } from '../common/dlq-errors';
import type { KeysetPage } from '@streamline/platform';
import { DEAD_LETTER_PAGES, parseId, parseListQuery } from './dead-letter-query';
import { toDeadLetterItem, type DeadLetterItem } from './dead-letter-view';
import { DeadLettersRepository, type DeadLetterStats } from './dead-letters.repository';

export type DeadLetterPage = KeysetPage<DeadLetterItem>;

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
    const page = DEAD_LETTER_PAGES.page(rows, limit, (row) => String(row.id));
    return { items: page.items.map(toDeadLetterItem), nextCursor: page.nextCursor };
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
