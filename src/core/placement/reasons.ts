/**
 * Stable reason codes for every placement rejection. They appear in explanations, the REST API
 * and summaries; renaming one is a breaking change.
 */
export type ReasonCode =
  | 'InsufficientCpus'
  | 'InsufficientMem'
  | 'InsufficientDisk'
  | 'PortsUnavailable'
  | 'ObservedUsageTooHigh'
  | 'NodetypeMismatch'
  | 'NodenameMismatch'
  | 'AgentHeld'
  | 'NoOfferHeld'
  | 'PinnedToOtherAgent'
  | 'CopyAlreadyOnAgent'
  | 'SingletonAlreadyLive'
  | 'SchedulerPaused'
  | 'BackingOff'
  | 'NoAgentsKnown'
  | 'NotSubscribed';

/** One line of plain English per reason, for summaries and `why` answers. */
export const REASON_TEXT: Readonly<Record<ReasonCode, string>> = {
  InsufficientCpus: 'not enough free cpus',
  InsufficientMem: 'not enough free memory',
  InsufficientDisk: 'not enough free disk',
  PortsUnavailable: 'a requested host port is not offered or already taken',
  ObservedUsageTooHigh:
    "the agent's observed memory use plus the task's observed peak would eat into the safety margin",
  NodetypeMismatch: 'agent nodetype attribute does not match',
  NodenameMismatch: 'agent nodename attribute does not match',
  AgentHeld: 'agent is held or paused (no new tasks)',
  NoOfferHeld: 'no outstanding offer from this agent right now',
  PinnedToOtherAgent: 'this one-per-node copy belongs to another agent',
  CopyAlreadyOnAgent: 'a copy of this one-per-node task already runs on the agent',
  SingletonAlreadyLive: 'another copy of this singleton is still live',
  SchedulerPaused: 'the scheduler is paused',
  BackingOff: 'waiting for its relaunch backoff to expire',
  NoAgentsKnown: 'no agent has offered resources yet',
  NotSubscribed: 'the scheduler is not subscribed to a Mesos master',
};
