/**
 * Type endings of events that record something refused or gone wrong
 * (`login.failure`, `login.locked`, `refresh.reuse_detected`, and any later
 * type that ends the same way). Every other event is a success.
 */
export const FAILURE_TYPE_ENDINGS: readonly string[] = Object.freeze(['.failure', '.locked', '.reuse_detected', '.denied', '.refused']);

/** Whether an audit event of `type` records a success or a failure. */
export function outcomeOf(type: string): 'success' | 'failure' {
  return FAILURE_TYPE_ENDINGS.some((ending) => type.endsWith(ending)) ? 'failure' : 'success';
}
