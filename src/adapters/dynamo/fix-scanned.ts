// The loop every backfill runs (backfill-status.ts, backfill-work.ts): read the table page
// by page, pick the items that need a fix, and fix them a few at a time with a conditional
// write, counting what was written and what changed meanwhile. A backfill supplies how a
// page is read and what one item's fix is; the paging, the concurrency and the progress
// reports are here, once.

/** What a backfill has done so far. */
export interface BackfillProgress {
  /** Items read and dealt with so far (service markers not counted). */
  readonly scanned: number;
  /** Items this run wrote. */
  readonly updated: number;
  /** Items that changed while being fixed; their writer keeps them right (a re-run checks them). */
  readonly raced: number;
}

/** One page of the Scan: the items to consider (markers already left out) and where the next page starts. */
export interface ScannedPage<Item, Key> {
  readonly items: readonly Item[];
  readonly next: Key | undefined;
}

export interface FixScannedOptions<Item, Key> {
  readPage(startKey: Key | undefined): Promise<ScannedPage<Item, Key>>;
  needsFix(item: Item): boolean;
  /** Writes the fix if the item is still as read; false when it changed meanwhile. */
  fix(item: Item): Promise<boolean>;
  onProgress?: (progress: BackfillProgress) => void;
}

// Fixes run a few at a time: enough to keep a page moving, few enough not to throttle.
const concurrency = 8;

/** Reads every page and fixes every item that needs it; returns the counts. */
export async function fixScanned<Item, Key>(options: FixScannedOptions<Item, Key>): Promise<BackfillProgress> {
  let scanned = 0;
  let updated = 0;
  let raced = 0;
  let startKey: Key | undefined;
  do {
    const page = await options.readPage(startKey);
    const fixes = page.items.filter((item) => options.needsFix(item));
    // Those needing no fix are dealt with at once; the rest count as their writes finish.
    // Reported per group of writes, not only per page: a 1 MB page can hold thousands of
    // items, and the count would stand still meanwhile.
    let dealtWith = scanned + page.items.length - fixes.length;
    scanned += page.items.length;
    for (let start = 0; start < fixes.length; start += concurrency) {
      const outcomes = await Promise.all(fixes.slice(start, start + concurrency).map((item) => options.fix(item)));
      for (const outcome of outcomes) outcome ? updated++ : raced++;
      dealtWith += outcomes.length;
      if (dealtWith < scanned) options.onProgress?.({ scanned: dealtWith, updated, raced });
    }
    startKey = page.next;
    options.onProgress?.({ scanned, updated, raced });
  } while (startKey !== undefined);
  return { scanned, updated, raced };
}
