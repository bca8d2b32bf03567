/**
 * offerlab's own subset of the Mesos v1 protobuf schema (`mesos.v1` and
 * `mesos.v1.scheduler`), written from the field numbers in
 * ../shared/reference/mesos-v1-protocol.md. Only what the scheduler API carries for command and
 * Docker tasks; unknown fields on the wire are skipped by the decoder. Proto2, as Mesos.
 */
export const MESOS_PROTO = `
syntax = "proto2";
package mesos.v1;

message FrameworkID { required string value = 1; }
message OfferID { required string value = 1; }
message AgentID { required string value = 1; }
message TaskID { required string value = 1; }
message ExecutorID { required string value = 1; }
message OperationID { required string value = 1; }
message TimeInfo { required int64 nanoseconds = 1; }
message DurationInfo { required int64 nanoseconds = 1; }

message Address {
  optional string hostname = 1;
  optional string ip = 2;
  required int32 port = 3;
}

message Parameter {
  required string key = 1;
  required string value = 2;
}

message URL {
  required string scheme = 1;
  required Address address = 2;
  optional string path = 3;
  repeated Parameter query = 4;
  optional string fragment = 5;
}

message Label {
  required string key = 1;
  optional string value = 2;
}
message Labels { repeated Label labels = 1; }

message Value {
  enum Type {
    SCALAR = 0;
    RANGES = 1;
    SET = 2;
    TEXT = 3;
  }
  message Scalar { required double value = 1; }
  message Range {
    required uint64 begin = 1;
    required uint64 end = 2;
  }
  message Ranges { repeated Range range = 1; }
  message Set { repeated string item = 1; }
  message Text { required string value = 1; }
  required Type type = 1;
  optional Scalar scalar = 2;
  optional Ranges ranges = 3;
  optional Set set = 4;
  optional Text text = 5;
}

message Attribute {
  required string name = 1;
  required Value.Type type = 2;
  optional Value.Scalar scalar = 3;
  optional Value.Ranges ranges = 4;
  optional Value.Set set = 6;
  optional Value.Text text = 5;
}

message Resource {
  message AllocationInfo { optional string role = 1; }
  message ReservationInfo {
    enum Type {
      UNKNOWN = 0;
      STATIC = 1;
      DYNAMIC = 2;
    }
    optional Type type = 4;
    optional string role = 3;
    optional string principal = 1;
    optional Labels labels = 2;
  }
  message RevocableInfo {}
  message SharedInfo {}
  required string name = 1;
  required Value.Type type = 2;
  optional Value.Scalar scalar = 3;
  optional Value.Ranges ranges = 4;
  optional Value.Set set = 5;
  optional string role = 6;
  optional AllocationInfo allocation_info = 11;
  optional ReservationInfo reservation = 8;
  repeated ReservationInfo reservations = 13;
  optional RevocableInfo revocable = 9;
  optional SharedInfo shared = 10;
}

message Unavailability {
  required TimeInfo start = 1;
  optional DurationInfo duration = 2;
}

message Offer {
  message Operation {
    enum Type {
      UNKNOWN = 0;
      LAUNCH = 1;
      RESERVE = 2;
      UNRESERVE = 3;
      CREATE = 4;
      DESTROY = 5;
      LAUNCH_GROUP = 6;
      GROW_VOLUME = 11;
      SHRINK_VOLUME = 12;
      CREATE_DISK = 13;
      DESTROY_DISK = 14;
    }
    message Launch { repeated TaskInfo task_infos = 1; }
    optional Type type = 1;
    optional OperationID id = 12;
    optional Launch launch = 2;
  }
  required OfferID id = 1;
  required FrameworkID framework_id = 2;
  required AgentID agent_id = 3;
  required string hostname = 4;
  optional URL url = 8;
  repeated Resource resources = 5;
  repeated Attribute attributes = 7;
  repeated ExecutorID executor_ids = 6;
  optional Unavailability unavailability = 9;
  optional Resource.AllocationInfo allocation_info = 10;
}

message InverseOffer {
  required OfferID id = 1;
  optional URL url = 2;
  required FrameworkID framework_id = 3;
  optional AgentID agent_id = 4;
  required Unavailability unavailability = 5;
  repeated Resource resources = 6;
}

message Filters { optional double refuse_seconds = 1 [default = 5.0]; }

message FrameworkInfo {
  message Capability {
    enum Type {
      UNKNOWN = 0;
      REVOCABLE_RESOURCES = 1;
      TASK_KILLING_STATE = 2;
      GPU_RESOURCES = 3;
      SHARED_RESOURCES = 4;
      PARTITION_AWARE = 5;
      MULTI_ROLE = 6;
      RESERVATION_REFINEMENT = 7;
      REGION_AWARE = 8;
    }
    optional Type type = 1;
  }
  required string user = 1;
  required string name = 2;
  optional FrameworkID id = 3;
  optional double failover_timeout = 4 [default = 0.0];
  optional bool checkpoint = 5 [default = false];
  optional string role = 6;
  repeated string roles = 12;
  optional string hostname = 7;
  optional string principal = 8;
  optional string webui_url = 9;
  repeated Capability capabilities = 10;
  optional Labels labels = 11;
}

message MasterInfo {
  message Capability {
    enum Type {
      UNKNOWN = 0;
      AGENT_UPDATE = 1;
      AGENT_DRAINING = 2;
      QUOTA_V2 = 3;
    }
    optional Type type = 1;
  }
  required string id = 1;
  required uint32 ip = 2;
  required uint32 port = 3 [default = 5050];
  optional string pid = 4;
  optional string hostname = 5;
  optional string version = 6;
  optional Address address = 7;
  repeated Capability capabilities = 9;
}

message Environment {
  message Variable {
    enum Type {
      UNKNOWN = 0;
      VALUE = 1;
      SECRET = 2;
    }
    required string name = 1;
    optional Type type = 3;
    optional string value = 2;
  }
  repeated Variable variables = 1;
}

message CommandInfo {
  message URI {
    required string value = 1;
    optional bool executable = 2;
    optional bool extract = 3 [default = true];
    optional bool cache = 4;
    optional string output_file = 5;
  }
  repeated URI uris = 1;
  optional Environment environment = 2;
  optional bool shell = 6 [default = true];
  optional string value = 3;
  repeated string arguments = 7;
  optional string user = 5;
}

message Volume {
  enum Mode {
    RW = 1;
    RO = 2;
  }
  required Mode mode = 3;
  required string container_path = 1;
  optional string host_path = 2;
}

message ContainerInfo {
  enum Type {
    DOCKER = 1;
    MESOS = 2;
  }
  message DockerInfo {
    enum Network {
      HOST = 1;
      BRIDGE = 2;
      NONE = 3;
      USER = 4;
    }
    message PortMapping {
      required uint32 host_port = 1;
      required uint32 container_port = 2;
      optional string protocol = 3;
    }
    required string image = 1;
    optional Network network = 2 [default = HOST];
    repeated PortMapping port_mappings = 3;
    optional bool privileged = 4 [default = false];
    repeated Parameter parameters = 5;
    optional bool force_pull_image = 6;
  }
  required Type type = 1;
  repeated Volume volumes = 2;
  optional string hostname = 4;
  optional DockerInfo docker = 3;
}

message KillPolicy { optional DurationInfo grace_period = 1; }

message TaskInfo {
  required string name = 1;
  required TaskID task_id = 2;
  required AgentID agent_id = 3;
  repeated Resource resources = 4;
  optional CommandInfo command = 7;
  optional ContainerInfo container = 9;
  optional KillPolicy kill_policy = 12;
  optional bytes data = 6;
  optional Labels labels = 10;
}

enum TaskState {
  TASK_STAGING = 6;
  TASK_STARTING = 0;
  TASK_RUNNING = 1;
  TASK_KILLING = 8;
  TASK_FINISHED = 2;
  TASK_FAILED = 3;
  TASK_KILLED = 4;
  TASK_ERROR = 7;
  TASK_LOST = 5;
  TASK_DROPPED = 9;
  TASK_UNREACHABLE = 10;
  TASK_GONE = 11;
  TASK_GONE_BY_OPERATOR = 12;
  TASK_UNKNOWN = 13;
}

message TaskStatus {
  enum Source {
    SOURCE_MASTER = 0;
    SOURCE_AGENT = 1;
    SOURCE_EXECUTOR = 2;
  }
  enum Reason {
    REASON_COMMAND_EXECUTOR_FAILED = 0;
    REASON_EXECUTOR_TERMINATED = 1;
    REASON_EXECUTOR_UNREGISTERED = 2;
    REASON_FRAMEWORK_REMOVED = 3;
    REASON_GC_ERROR = 4;
    REASON_INVALID_FRAMEWORKID = 5;
    REASON_INVALID_OFFERS = 6;
    REASON_MASTER_DISCONNECTED = 7;
    REASON_CONTAINER_LIMITATION_MEMORY = 8;
    REASON_RECONCILIATION = 9;
    REASON_AGENT_DISCONNECTED = 10;
    REASON_AGENT_REMOVED = 11;
    REASON_AGENT_RESTARTED = 12;
    REASON_AGENT_UNKNOWN = 13;
    REASON_TASK_INVALID = 14;
    REASON_TASK_UNAUTHORIZED = 15;
    REASON_TASK_UNKNOWN = 16;
    REASON_CONTAINER_PREEMPTED = 17;
    REASON_RESOURCES_UNKNOWN = 18;
    REASON_CONTAINER_LIMITATION = 19;
    REASON_CONTAINER_LIMITATION_DISK = 20;
    REASON_CONTAINER_LAUNCH_FAILED = 21;
    REASON_CONTAINER_UPDATE_FAILED = 22;
    REASON_EXECUTOR_REGISTRATION_TIMEOUT = 23;
    REASON_EXECUTOR_REREGISTRATION_TIMEOUT = 24;
    REASON_TASK_GROUP_INVALID = 25;
    REASON_TASK_GROUP_UNAUTHORIZED = 26;
    REASON_IO_SWITCHBOARD_EXITED = 27;
    REASON_TASK_CHECK_STATUS_UPDATED = 28;
    REASON_TASK_HEALTH_CHECK_STATUS_UPDATED = 29;
    REASON_TASK_KILLED_DURING_LAUNCH = 30;
    REASON_AGENT_REMOVED_BY_OPERATOR = 31;
    REASON_AGENT_REREGISTERED = 32;
    REASON_MAX_COMPLETION_TIME_REACHED = 33;
    REASON_AGENT_DRAINING = 34;
  }
  required TaskID task_id = 1;
  required TaskState state = 2;
  optional string message = 4;
  optional Source source = 9;
  optional Reason reason = 10;
  optional bytes data = 3;
  optional AgentID agent_id = 5;
  optional ExecutorID executor_id = 7;
  optional double timestamp = 6;
  optional bytes uuid = 11;
  optional bool healthy = 8;
  optional Labels labels = 12;
  optional TimeInfo unreachable_time = 14;
}

message Request {
  optional AgentID agent_id = 1;
  repeated Resource resources = 2;
}

`;

/** The scheduler package, in a second file of the same root (protobufjs allows one package per parse). */
export const SCHEDULER_PROTO = `
syntax = "proto2";
package mesos.v1.scheduler;
import "mesos.proto";

message Call {
  enum Type {
    UNKNOWN = 0;
    SUBSCRIBE = 1;
    TEARDOWN = 2;
    ACCEPT = 3;
    DECLINE = 4;
    REVIVE = 5;
    KILL = 6;
    SHUTDOWN = 7;
    ACKNOWLEDGE = 8;
    RECONCILE = 9;
    MESSAGE = 10;
    REQUEST = 11;
    SUPPRESS = 12;
    ACCEPT_INVERSE_OFFERS = 13;
    DECLINE_INVERSE_OFFERS = 14;
    ACKNOWLEDGE_OPERATION_STATUS = 15;
    RECONCILE_OPERATIONS = 16;
    UPDATE_FRAMEWORK = 17;
  }
  message Subscribe {
    required mesos.v1.FrameworkInfo framework_info = 1;
    repeated string suppressed_roles = 2;
  }
  message Accept {
    repeated mesos.v1.OfferID offer_ids = 1;
    repeated mesos.v1.Offer.Operation operations = 2;
    optional mesos.v1.Filters filters = 3;
  }
  message Decline {
    repeated mesos.v1.OfferID offer_ids = 1;
    optional mesos.v1.Filters filters = 2;
  }
  message AcceptInverseOffers {
    repeated mesos.v1.OfferID inverse_offer_ids = 1;
    optional mesos.v1.Filters filters = 2;
  }
  message DeclineInverseOffers {
    repeated mesos.v1.OfferID inverse_offer_ids = 1;
    optional mesos.v1.Filters filters = 2;
  }
  message Revive { repeated string roles = 1; }
  message Suppress { repeated string roles = 1; }
  message Kill {
    required mesos.v1.TaskID task_id = 1;
    optional mesos.v1.AgentID agent_id = 2;
    optional mesos.v1.KillPolicy kill_policy = 3;
  }
  message Shutdown {
    required mesos.v1.ExecutorID executor_id = 1;
    required mesos.v1.AgentID agent_id = 2;
  }
  message Acknowledge {
    required mesos.v1.AgentID agent_id = 1;
    required mesos.v1.TaskID task_id = 2;
    required bytes uuid = 3;
  }
  message Reconcile {
    message Task {
      required mesos.v1.TaskID task_id = 1;
      optional mesos.v1.AgentID agent_id = 2;
    }
    repeated Task tasks = 1;
  }
  message Message {
    required mesos.v1.AgentID agent_id = 1;
    required mesos.v1.ExecutorID executor_id = 2;
    required bytes data = 3;
  }
  message Request { repeated mesos.v1.Request requests = 1; }
  message UpdateFramework {
    required mesos.v1.FrameworkInfo framework_info = 1;
    repeated string suppressed_roles = 2;
  }
  optional mesos.v1.FrameworkID framework_id = 1;
  optional Type type = 2;
  optional Subscribe subscribe = 3;
  optional Accept accept = 4;
  optional Decline decline = 5;
  optional AcceptInverseOffers accept_inverse_offers = 13;
  optional DeclineInverseOffers decline_inverse_offers = 14;
  optional Revive revive = 15;
  optional Kill kill = 6;
  optional Shutdown shutdown = 7;
  optional Acknowledge acknowledge = 8;
  optional Reconcile reconcile = 9;
  optional Message message = 10;
  optional Request request = 11;
  optional Suppress suppress = 16;
  optional UpdateFramework update_framework = 19;
}

message Event {
  enum Type {
    UNKNOWN = 0;
    SUBSCRIBED = 1;
    OFFERS = 2;
    INVERSE_OFFERS = 9;
    RESCIND = 3;
    RESCIND_INVERSE_OFFER = 10;
    UPDATE = 4;
    UPDATE_OPERATION_STATUS = 11;
    MESSAGE = 5;
    FAILURE = 6;
    ERROR = 7;
    HEARTBEAT = 8;
  }
  message Subscribed {
    required mesos.v1.FrameworkID framework_id = 1;
    optional double heartbeat_interval_seconds = 2;
    optional mesos.v1.MasterInfo master_info = 3;
  }
  message Offers { repeated mesos.v1.Offer offers = 1; }
  message InverseOffers { repeated mesos.v1.InverseOffer inverse_offers = 1; }
  message Rescind { required mesos.v1.OfferID offer_id = 1; }
  message RescindInverseOffer { required mesos.v1.OfferID inverse_offer_id = 1; }
  message Update { required mesos.v1.TaskStatus status = 1; }
  message Message {
    required mesos.v1.AgentID agent_id = 1;
    required mesos.v1.ExecutorID executor_id = 2;
    required bytes data = 3;
  }
  message Failure {
    optional mesos.v1.AgentID agent_id = 1;
    optional mesos.v1.ExecutorID executor_id = 2;
    optional int32 status = 3;
  }
  message Error { required string message = 1; }
  optional Type type = 1;
  optional Subscribed subscribed = 2;
  optional Offers offers = 3;
  optional InverseOffers inverse_offers = 9;
  optional Rescind rescind = 4;
  optional RescindInverseOffer rescind_inverse_offer = 10;
  optional Update update = 5;
  optional Message message = 6;
  optional Failure failure = 7;
  optional Error error = 8;
}
`;
