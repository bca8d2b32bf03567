import type { Call } from '../../src/core/mesos/v1.ts';

const PAYLOAD: Readonly<Partial<Record<string, string>>> = {
  SUBSCRIBE: 'subscribe',
  ACCEPT: 'accept',
  DECLINE: 'decline',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  RECONCILE: 'reconcile',
  MESSAGE: 'message',
  REQUEST: 'request',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  UPDATE_FRAMEWORK: 'update_framework',
};

/** A status update uuid must be 16 bytes, i.e. 24 base64 characters ending in "==". */
export function isUuid(uuid: unknown): boolean {
  return typeof uuid === 'string' && /^[A-Za-z0-9+/]{22}==$/.test(uuid);
}

/**
 * The master's call-level validation (the problems it answers with 400 "Failed to validate
 * scheduler::Call: …"), or undefined when the call is valid.
 */
export function validateCall(call: Partial<Call> & Record<string, unknown>): string | undefined {
  const type = call.type as string | undefined;
  if (type === undefined) return "Expecting 'type' to be present";
  const payload = PAYLOAD[type];
  if (payload !== undefined && call[payload] === undefined) return `Expecting '${payload}' to be present`;
  if (type === 'SUBSCRIBE') {
    const info = (call.subscribe as { framework_info?: { id?: { value?: string } } } | undefined)
      ?.framework_info;
    const top = (call.framework_id as { value?: string } | undefined)?.value;
    if (top !== info?.id?.value) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";
  if (type === 'ACKNOWLEDGE' && !isUuid((call.acknowledge as { uuid?: unknown } | undefined)?.uuid))
    return 'Not a valid UUID';
  return undefined;
}
