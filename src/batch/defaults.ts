/**
 * Defaults of `cosy batch`, in a module without dependencies so the command tree can show them in help without
 * loading the batch machinery.
 */
import { SERVICE_TASKS_PER_SECOND } from '../protocol/limits.js';

/** Workers, i.e. tasks in flight at once. */
export const DEFAULT_JOBS = 3;
/** Task starts per second: the service's documented limit (protocol.md §2.12). */
export const DEFAULT_RPS = SERVICE_TASKS_PER_SECOND;
/** Retries of a task: more than `say`'s 2, as a long batch meets more transient failures. */
export const DEFAULT_BATCH_RETRIES = 4;
/** The output name template used when --name is not given. */
export const DEFAULT_NAME_TEMPLATE = '{id}.{ext}';
/** The name of the ledger file in the output folder (one per shard: see ledgerFileName). */
export const LEDGER_FILE = 'cosy-batch.ledger.jsonl';
