import { AdapterRejection } from '../../src/adapters/errors';

/** A command the ledger cannot take as given (zero quantity, empty key): retrying will not help. */
export class LedgerCommandInvalid extends AdapterRejection {
  constructor(message: string) {
    super('invalid_command', message);
    this.name = 'LedgerCommandInvalid';
  }
}

export class HoldNotFound extends AdapterRejection {
  constructor(readonly holdId: string) {
    super('hold_not_found', `hold ${holdId} does not exist`);
    this.name = 'HoldNotFound';
  }
}

export class CountTaskNotFound extends AdapterRejection {
  constructor(readonly taskId: string) {
    super('count_task_not_found', `count task ${taskId} does not exist`);
    this.name = 'CountTaskNotFound';
  }
}

/** A count task takes one result; a different quantity for a done task is refused, not merged. */
export class CountTaskAlreadyDone extends AdapterRejection {
  constructor(
    readonly taskId: string,
    readonly storedQty: number,
    readonly offeredQty: number,
  ) {
    super('count_task_already_done', `count task ${taskId} is already done with ${storedQty}; refusing ${offeredQty}`);
    this.name = 'CountTaskAlreadyDone';
  }
}

export function requireKey(idempotencyKey: string): void {
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0) {
    throw new LedgerCommandInvalid('idempotencyKey is required');
  }
}

export function requireQty(qty: number, rule: 'nonzero' | 'positive'): void {
  const ok = Number.isFinite(qty) && (rule === 'nonzero' ? qty !== 0 : qty > 0);
  if (!ok) throw new LedgerCommandInvalid(`qty must be a finite ${rule === 'nonzero' ? 'non-zero' : 'positive'} number, got ${qty}`);
}
