import type { Call, FrameworkInfo } from '../../src/core/mesos/v1.ts';

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
  const top = (call.framework_id as { value?: string } | undefined)?.value;
  if (type === 'SUBSCRIBE') {
    if (call.subscribe === undefined) return "Expecting 'subscribe' to be present";
    const info = (call.subscribe as { framework_info?: { id?: { value?: string } } }).framework_info;
    if (top !== info?.id?.value) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";
  if (payload !== undefined && call[payload] === undefined) return `Expecting '${payload}' to be present`;
  if (type === 'ACKNOWLEDGE' && !isUuid((call.acknowledge as { uuid?: unknown } | undefined)?.uuid))
    return 'Not a valid UUID';
  if (type === 'UPDATE_FRAMEWORK') {
    const info = (call.update_framework as { framework_info?: { id?: { value?: string } } }).framework_info;
    if (top !== info?.id?.value) return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}

/**
 * What the master refuses in a FrameworkInfo it is given by SUBSCRIBE or UPDATE_FRAMEWORK (the
 * checks that do not depend on the framework's earlier FrameworkInfo), or undefined when it is valid.
 */
export function frameworkInfoProblem(
  info: FrameworkInfo,
  suppressedRoles: readonly string[] | undefined,
): string | undefined {
  const multiRole = (info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  if (!multiRole && info.roles !== undefined && info.roles.length > 0)
    return "'FrameworkInfo.roles' is set but the MULTI_ROLE capability is not";
  if (multiRole && info.role !== undefined)
    return "'FrameworkInfo.role' must not be set together with the MULTI_ROLE capability";
  const roles = frameworkRoles(info);
  if (new Set(roles).size !== roles.length) return "'FrameworkInfo.roles' contains duplicate items";
  for (const role of roles) {
    const bad = roleProblem(role);
    if (bad !== undefined) return `Role '${role}' is invalid: ${bad}`;
  }
  if (
    info.failover_timeout !== undefined &&
    !(info.failover_timeout >= 0 && Number.isFinite(info.failover_timeout))
  )
    return 'Invalid failover_timeout';
  const missing = (suppressedRoles ?? []).filter((r) => !roles.includes(r));
  if (missing.length > 0)
    return `Suppressed roles ${missing.map((r) => `'${r}'`).join(', ')} are not contained in the framework's roles`;
  return undefined;
}

/** The roles a framework subscribes with: `roles` under MULTI_ROLE, otherwise `role` (default "*"). */
export function frameworkRoles(info: FrameworkInfo): readonly string[] {
  const multiRole = (info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  return multiRole ? (info.roles ?? []) : [info.role ?? '*'];
}

/** Mesos role names: not empty, `.` or `..`, no leading `-`, no whitespace, slashes only between parts. */
function roleProblem(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'empty role name';
  if ([...role].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f || /\s/.test(c)))
    return 'contains whitespace or a control character';
  for (const part of role.split('/')) {
    if (part === '') return "a role path may not start or end with '/' or contain '//'";
    if (part === '.' || part === '..') return "'.' and '..' are not valid role names";
    if (part.startsWith('-')) return "a role name may not start with '-'";
    if (part === '*') return "'*' may not be part of a hierarchical role";
  }
  return undefined;
}
