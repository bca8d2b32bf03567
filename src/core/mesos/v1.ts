/**
 * The subset of the Mesos v1 scheduler API (`mesos.v1.scheduler.Call` / `Event` and the
 * `mesos.v1` messages they carry) that offerlab speaks, in the JSON shape the master reads and
 * writes: snake_case keys, enum names as strings, wrapper messages kept nested
 * (`offers.offers`, `ranges.range`, `labels.labels`), bytes as base64 strings.
 *
 * 64-bit integers (`TimeInfo.nanoseconds`, `DurationInfo.nanoseconds`) are kept as decimal
 * strings so no value above 2^53 loses precision; the codecs turn them into bare JSON numbers
 * or protobuf varints on the wire. See ../../shared/reference/mesos-v1-protocol.md.
 */

/** One-field id messages: FrameworkID, OfferID, AgentID, TaskID, ExecutorID. */
export interface Id {
  value: string;
}

/** A 64-bit integer as a decimal string. */
export type Int64 = string;

export interface TimeInfo {
  nanoseconds: Int64;
}
export interface DurationInfo {
  nanoseconds: Int64;
}

export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';

export interface Scalar {
  value: number;
}
/** An inclusive port (or other) range. */
export interface Range {
  begin: number;
  end: number;
}
export interface Ranges {
  range: Range[];
}
export interface ValueSet {
  item: string[];
}
export interface Text {
  value: string;
}

export interface AllocationInfo {
  role: string;
}

export interface Resource {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  role?: string;
  allocation_info?: AllocationInfo;
}

export interface Attribute {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  text?: Text;
}

export interface Label {
  key: string;
  value?: string;
}
export interface Labels {
  labels: Label[];
}

export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}
export interface Url {
  scheme: string;
  address: Address;
  path?: string;
}

export interface Unavailability {
  start: TimeInfo;
  duration?: DurationInfo;
}

export interface Offer {
  id: Id;
  framework_id: Id;
  agent_id: Id;
  hostname: string;
  url?: Url;
  resources: Resource[];
  attributes?: Attribute[];
  executor_ids?: Id[];
  unavailability?: Unavailability;
  allocation_info?: AllocationInfo;
}

export type CapabilityType =
  | 'UNKNOWN'
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: Id;
  failover_timeout?: number;
  checkpoint?: boolean;
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type: CapabilityType }[];
  labels?: Labels;
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
  capabilities?: { type: 'UNKNOWN' | 'AGENT_UPDATE' | 'AGENT_DRAINING' | 'QUOTA_V2' }[];
}

export interface Parameter {
  key: string;
  value: string;
}

export interface Environment {
  variables: { name: string; type?: 'UNKNOWN' | 'VALUE' | 'SECRET'; value?: string }[];
}

export interface CommandInfo {
  uris?: { value: string; executable?: boolean; extract?: boolean; cache?: boolean; output_file?: string }[];
  environment?: Environment;
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

export interface PortMapping {
  host_port: number;
  container_port: number;
  protocol?: string;
}

export interface DockerInfo {
  image: string;
  network?: 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
  port_mappings?: PortMapping[];
  privileged?: boolean;
  parameters?: Parameter[];
  force_pull_image?: boolean;
}

export interface Volume {
  mode: 'RW' | 'RO';
  container_path: string;
  host_path?: string;
}

export interface ContainerInfo {
  type: 'DOCKER' | 'MESOS';
  volumes?: Volume[];
  hostname?: string;
  docker?: DockerInfo;
}

export interface KillPolicy {
  grace_period?: DurationInfo;
}

export interface TaskInfo {
  name: string;
  task_id: Id;
  agent_id: Id;
  resources: Resource[];
  command?: CommandInfo;
  container?: ContainerInfo;
  kill_policy?: KillPolicy;
  labels?: Labels;
}

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export type TaskStatusReason =
  | 'REASON_COMMAND_EXECUTOR_FAILED'
  | 'REASON_EXECUTOR_TERMINATED'
  | 'REASON_EXECUTOR_UNREGISTERED'
  | 'REASON_FRAMEWORK_REMOVED'
  | 'REASON_GC_ERROR'
  | 'REASON_INVALID_FRAMEWORKID'
  | 'REASON_INVALID_OFFERS'
  | 'REASON_MASTER_DISCONNECTED'
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_RECONCILIATION'
  | 'REASON_AGENT_DISCONNECTED'
  | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_RESTARTED'
  | 'REASON_AGENT_UNKNOWN'
  | 'REASON_TASK_INVALID'
  | 'REASON_TASK_UNAUTHORIZED'
  | 'REASON_TASK_UNKNOWN'
  | 'REASON_CONTAINER_PREEMPTED'
  | 'REASON_RESOURCES_UNKNOWN'
  | 'REASON_CONTAINER_LIMITATION'
  | 'REASON_CONTAINER_LIMITATION_DISK'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_CONTAINER_UPDATE_FAILED'
  | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  | 'REASON_TASK_GROUP_INVALID'
  | 'REASON_TASK_GROUP_UNAUTHORIZED'
  | 'REASON_IO_SWITCHBOARD_EXITED'
  | 'REASON_TASK_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_AGENT_REMOVED_BY_OPERATOR'
  | 'REASON_AGENT_REREGISTERED'
  | 'REASON_MAX_COMPLETION_TIME_REACHED'
  | 'REASON_AGENT_DRAINING';

export interface TaskStatus {
  task_id: Id;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  reason?: TaskStatusReason;
  data?: string;
  agent_id?: Id;
  executor_id?: Id;
  timestamp?: number;
  /** base64 of the 16-byte uuid; present means the update must be acknowledged. */
  uuid?: string;
  healthy?: boolean;
  unreachable_time?: TimeInfo;
}

export interface Filters {
  refuse_seconds?: number;
}

export interface OfferOperation {
  type: 'LAUNCH';
  launch: { task_infos: TaskInfo[] };
}

// ---- calls ----------------------------------------------------------------------------------

export type CallType =
  | 'SUBSCRIBE'
  | 'TEARDOWN'
  | 'ACCEPT'
  | 'DECLINE'
  | 'REVIVE'
  | 'KILL'
  | 'SHUTDOWN'
  | 'ACKNOWLEDGE'
  | 'RECONCILE'
  | 'MESSAGE'
  | 'REQUEST'
  | 'SUPPRESS'
  | 'UPDATE_FRAMEWORK';

export interface SubscribeCall {
  framework_id?: Id;
  type: 'SUBSCRIBE';
  subscribe: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
}
export interface TeardownCall {
  framework_id: Id;
  type: 'TEARDOWN';
}
export interface AcceptCall {
  framework_id: Id;
  type: 'ACCEPT';
  accept: { offer_ids: Id[]; operations: OfferOperation[]; filters?: Filters };
}
export interface DeclineCall {
  framework_id: Id;
  type: 'DECLINE';
  decline: { offer_ids: Id[]; filters?: Filters };
}
export interface ReviveCall {
  framework_id: Id;
  type: 'REVIVE';
  revive?: { roles?: string[] };
}
export interface SuppressCall {
  framework_id: Id;
  type: 'SUPPRESS';
  suppress?: { roles?: string[] };
}
export interface KillCall {
  framework_id: Id;
  type: 'KILL';
  kill: { task_id: Id; agent_id?: Id; kill_policy?: KillPolicy };
}
export interface ShutdownCall {
  framework_id: Id;
  type: 'SHUTDOWN';
  shutdown: { executor_id: Id; agent_id: Id };
}
export interface AcknowledgeCall {
  framework_id: Id;
  type: 'ACKNOWLEDGE';
  acknowledge: { agent_id: Id; task_id: Id; uuid: string };
}
export interface ReconcileCall {
  framework_id: Id;
  type: 'RECONCILE';
  reconcile: { tasks?: { task_id: Id; agent_id?: Id }[] };
}
export interface MessageCall {
  framework_id: Id;
  type: 'MESSAGE';
  message: { agent_id: Id; executor_id: Id; data: string };
}
export interface RequestCall {
  framework_id: Id;
  type: 'REQUEST';
  request: { requests?: { agent_id?: Id; resources?: Resource[] }[] };
}

export interface UpdateFrameworkCall {
  framework_id: Id;
  type: 'UPDATE_FRAMEWORK';
  update_framework: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
}

export type Call =
  | SubscribeCall
  | TeardownCall
  | AcceptCall
  | DeclineCall
  | ReviveCall
  | SuppressCall
  | KillCall
  | ShutdownCall
  | AcknowledgeCall
  | ReconcileCall
  | MessageCall
  | RequestCall
  | UpdateFrameworkCall;

// ---- events ---------------------------------------------------------------------------------

export type EventType =
  | 'SUBSCRIBED'
  | 'OFFERS'
  | 'RESCIND'
  | 'UPDATE'
  | 'MESSAGE'
  | 'FAILURE'
  | 'ERROR'
  | 'HEARTBEAT'
  | 'INVERSE_OFFERS'
  | 'RESCIND_INVERSE_OFFER'
  | 'UPDATE_OPERATION_STATUS'
  | 'UNKNOWN';

export interface SubscribedEvent {
  type: 'SUBSCRIBED';
  subscribed: { framework_id: Id; heartbeat_interval_seconds?: number; master_info?: MasterInfo };
}
export interface OffersEvent {
  type: 'OFFERS';
  offers: { offers: Offer[] };
}
export interface RescindEvent {
  type: 'RESCIND';
  rescind: { offer_id: Id };
}
export interface UpdateEvent {
  type: 'UPDATE';
  update: { status: TaskStatus };
}
export interface MessageEvent {
  type: 'MESSAGE';
  message: { agent_id: Id; executor_id: Id; data: string };
}
export interface FailureEvent {
  type: 'FAILURE';
  failure: { agent_id?: Id; executor_id?: Id; status?: number };
}
export interface ErrorEvent {
  type: 'ERROR';
  error: { message: string };
}
export interface HeartbeatEvent {
  type: 'HEARTBEAT';
}
/** Events offerlab receives but does not act on (maintenance, operation feedback, unknown types). */
export interface OtherEvent {
  type: 'INVERSE_OFFERS' | 'RESCIND_INVERSE_OFFER' | 'UPDATE_OPERATION_STATUS' | 'UNKNOWN';
}

export type Event =
  | SubscribedEvent
  | OffersEvent
  | RescindEvent
  | UpdateEvent
  | MessageEvent
  | FailureEvent
  | ErrorEvent
  | HeartbeatEvent
  | OtherEvent;
