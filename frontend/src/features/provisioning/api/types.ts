/** Names for the provisioning shapes, derived from the generated contract (see src/api/types.ts). */
import type { QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type ProvisionJob = Item<ResponseOf<"/crm/provision/", "get">>;
export type ProvisionDetail = ResponseOf<"/crm/provision/{provision_id}", "get">;
export type ProvisionEvent = Item<ResponseOf<"/crm/provision/{provision_id}/events", "get">>;
export type ProvisionListQuery = QueryOf<"/crm/provision/", "get">;
export type ProvisionDashboard = ResponseOf<"/crm/provision/dashboard", "get">;
export type SeriesPoint = ProvisionDashboard["series"][number];
export type ProvisionAction = ProvisionJob["action"];
/** 0 Success, 1 Running, 2 Failed, 3 Failed (ignored), 4 Queued, 5 Cancelled. */
export type ProvisionStatusCode = NonNullable<ProvisionListQuery["provisioning_status"]>[number];

/**
 * Socket.IO `provision.event` (namespace /provision): a task result plus the job's progress.
 * Not in the OpenAPI document (it is not HTTP), so written out here from the backend's
 * `event_payload`.
 */
export type LiveEvent = ProvisionEvent & { tasks_done: number; task_count: number };

/** Socket.IO `provision.status`: the job's state after a change (backend `status_payload`). */
export interface LiveStatus {
  provision_id: number;
  provisioning_status: number;
  status_label: string;
  service_id: number | null;
  customer_id: number;
  provisioning_play: string;
  action: string;
  attempts: number;
  retries: number;
  tasks_done: number;
  task_count: number;
  error: string | null;
}

/**
 * Socket.IO `charging.threshold` (namespace /provision, room `dashboard`): a service's balance
 * crossed an alert threshold. Decimal strings stay strings (see lib/money).
 */
export interface ChargingThreshold {
  service_id: number;
  customer_id: number;
  /** "data:80", "sms:100", "data:exhausted", "monetary:below". */
  threshold: string;
  balance_type: "data" | "voice" | "sms" | "monetary";
  percent_used: number | null;
  /** The money threshold that was crossed (monetary only). */
  below: string | null;
  /** Units left, or money held. */
  value: string;
}
