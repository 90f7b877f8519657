/**
 * What a batch will cost, from the counted characters and the price table of each model in the chosen region
 * (protocol.md §2.9, §2.13): `--estimate` prints it without connecting, and `--max-cost` refuses a batch above it.
 * Prices are per 10,000 counted characters; free quota is not taken into account.
 */
import { UsageError } from '../errors.js';
import { findModel, type Region } from '../protocol/models.js';

/** Characters per price unit of the price table. */
export const CHARACTERS_PER_PRICE_UNIT = 10_000;

/** The cost of one model's share of a batch; null where the table has no price. */
export interface ModelCost {
  model: string;
  items: number;
  characters: number;
  usd: number | null;
  cny: number | null;
}

/** The cost of a batch. `usd`/`cny` are null when a model in it has no price in that currency. */
export interface CostEstimate {
  region: Region;
  items: number;
  characters: number;
  usd: number | null;
  cny: number | null;
  models: ModelCost[];
}

/** Price per 10,000 counted characters of a model in a region (null = not listed). */
export function priceOf(model: string, region: Region): { usd: number | null; cny: number | null } {
  const price = findModel(model)?.price;
  if (!price) return { usd: null, cny: null };
  return region === 'cn' ? { usd: price.cn.usd, cny: price.cn.cny } : { usd: price.intl.usd, cny: null };
}

/** Rounds an amount to 8 decimals, so that JSON shows 0.000817 rather than 0.0008170950000000001. */
export function roundMoney(amount: number | null): number | null {
  return amount === null ? null : Math.round(amount * 1e8) / 1e8;
}

/** Adds prices, keeping null (unknown) contagious. */
function add(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/** The cost of requests given as (model, billed characters) pairs. */
export function estimateCost(requests: readonly { model: string; billed: number }[], region: Region): CostEstimate {
  const byModel = new Map<string, ModelCost>();
  for (const r of requests) {
    const m = byModel.get(r.model) ?? { model: r.model, items: 0, characters: 0, usd: 0, cny: 0 };
    m.items += 1;
    m.characters += r.billed;
    byModel.set(r.model, m);
  }
  const models = [...byModel.values()].map((m) => {
    const price = priceOf(m.model, region);
    const units = m.characters / CHARACTERS_PER_PRICE_UNIT;
    return { ...m, usd: price.usd === null ? null : units * price.usd, cny: price.cny === null ? null : units * price.cny };
  });
  return {
    region,
    items: requests.length,
    characters: models.reduce((n, m) => n + m.characters, 0),
    usd: roundMoney(models.reduce<number | null>((sum, m) => add(sum, m.usd), 0)),
    cny: roundMoney(models.reduce<number | null>((sum, m) => add(sum, m.cny), 0)),
    models: models.map((m) => ({ ...m, usd: roundMoney(m.usd), cny: roundMoney(m.cny) })),
  };
}

/** An amount of money for people: 4 decimals below 1, else 2. */
export function formatMoney(amount: number, symbol: '$' | '¥'): string {
  return `${symbol}${amount.toFixed(amount < 1 ? 4 : 2)}`;
}

/** "$0.0143 (¥0.1000)", "$0.0130", or "unknown (no price for cosyvoice-v1)". */
export function describeCost(estimate: Pick<CostEstimate, 'usd' | 'cny' | 'models'>): string {
  if (estimate.usd === null && estimate.cny === null) {
    const unpriced = estimate.models.filter((m) => m.usd === null && m.cny === null).map((m) => m.model);
    return unpriced.length > 0 ? `unknown (no price for ${unpriced.join(', ')})` : 'unknown';
  }
  const parts = [estimate.usd !== null ? formatMoney(estimate.usd, '$') : undefined, estimate.cny !== null ? formatMoney(estimate.cny, '¥') : undefined];
  const [first, second] = parts.filter((p): p is string => p !== undefined);
  return second !== undefined ? `${first} (${second})` : `${first}`;
}

/**
 * Parses a `--max-cost` amount in US dollars: `0.5`, `$0.50`, `0.5usd`.
 * @throws UsageError for anything else.
 */
export function parseMaxCost(value: string): number {
  const m = /^\s*\$?\s*(\d+(?:\.\d+)?|\.\d+)\s*(usd)?\s*$/i.exec(value);
  const amount = Number(m?.[1]);
  if (!m || !Number.isFinite(amount)) throw new UsageError(`--max-cost ${value} is not an amount in US dollars (for example --max-cost 2.50)`);
  return amount;
}

/**
 * Refuses a batch whose estimated cost is above `maxUsd`, or whose cost cannot be known.
 * @throws UsageError (code MAX_COST) saying what the batch would cost.
 */
export function checkMaxCost(estimate: CostEstimate, maxUsd: number): void {
  if (estimate.usd === null) {
    const unpriced = estimate.models.filter((m) => m.usd === null).map((m) => m.model);
    throw new UsageError(`--max-cost cannot be checked: cosy has no US-dollar price for ${unpriced.join(', ')} in region ${estimate.region}`, {
      code: 'MAX_COST',
      hint: 'drop --max-cost, or use a model with a listed price',
    });
  }
  if (estimate.usd > maxUsd) {
    throw new UsageError(
      `the batch would cost about ${formatMoney(estimate.usd, '$')} (${estimate.characters.toLocaleString('en-US')} characters in ${estimate.items} request(s)), above --max-cost ${formatMoney(maxUsd, '$')}; nothing was sent`,
      { code: 'MAX_COST', hint: 'raise --max-cost, or split the batch with --shard' },
    );
  }
}
