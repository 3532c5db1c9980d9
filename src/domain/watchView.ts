import type { WatchKind } from './enums.ts';
import type { AlertView } from './alertView.ts';
import type { SearchField, SearchMatch } from './schema/addSearchTypes.ts';

type Instant = Date | string;

/**
 * At most this many records hit one new watch entry retroactively at one
 * node, the newest the owner releases to the watcher: a vague entry must not
 * flood its unit. The cap counts hits after consent, so a record the watcher
 * may not see never takes a hit's place, and the node's audit entry of the
 * registration says when it was reached (retroHitsCapped). A record that
 * changes later hits every entry it meets: no cap there.
 */
export const maxRetroHits = 200;

/** Whether a watch entry still matches. */
export type WatchStatus = 'ACTIVE' | 'EXPIRED' | 'REMOVED';

/** A watch entry as its unit sees it (node contract and gateway alike). */
export interface WatchEntryView {
  id: string;
  /** Agency of the unit that registered it. */
  owner: string;
  kind: WatchKind;
  label: string;
  make: string | null;
  plateCountry: string | null;
  unitCode: string;
  registeredBy: string;
  purpose: string;
  caseReference: string | null;
  createdAt: Instant;
  expiresAt: Instant;
  removedAt: Instant | null;
  status: WatchStatus;
}

/** One hit as delivered: what matched, and the record at the tier the owner gives the recipient now. */
export interface HitView {
  /** The event's sequence number in the owner's feed. */
  seq: number;
  at: Instant;
  watchEntryId: string;
  matchedOn: SearchField;
  match: SearchMatch;
  /** As in a search: only when the owner releases the matched value itself to the recipient. */
  score: number | null;
  /** The record existed before the watch entry was registered. */
  retro: boolean;
  alert: AlertView;
}

/** One event of a node's feed: its recipient and record, never the record's content. */
export interface FeedEventView {
  seq: number;
  at: Instant;
  kind: string;
  recipientAgency: string;
  recipientUnit: string | null;
  watchEntryId: string | null;
  alertId: string;
  purpose: string | null;
  caseReference: string | null;
}
