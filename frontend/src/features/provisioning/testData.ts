import type { LiveEvent, LiveStatus, ProvisionDashboard, ProvisionDetail, ProvisionEvent, ProvisionJob } from "./api";
import { STATUS_LABELS } from "./constants";

export const job = (overrides: Partial<ProvisionDetail> = {}): ProvisionDetail => {
  const status = overrides.provisioning_status ?? 1;
  return {
    provision_id: 9,
    product_id: 3,
    customer_id: 7,
    customer_name: "Ada Lovelace",
    service_id: 21,
    action: "activate",
    provisioning_play: "mobile_activate",
    provisioning_status: status,
    status_label: STATUS_LABELS[status],
    task_count: 4,
    tasks_done: 0,
    attempts: 1,
    retries: 0,
    max_retries: 3,
    cancel_requested: false,
    error: null,
    initiated_by: "user",
    initiated_by_user_id: 1,
    started_at: "2025-03-01T10:00:00Z",
    finished_at: null,
    next_attempt_at: null,
    created_at: "2025-03-01T09:59:58Z",
    updated_at: "2025-03-01T10:00:00Z",
    provisioning_json_vars: { msisdn: "61412345678" },
    inventory_ids: [42, 43],
    config_content: null,
    events: [],
    ...overrides,
  };
};

export const listJob = (overrides: Partial<ProvisionDetail> = {}): ProvisionJob => {
  const {
    events: _e,
    provisioning_json_vars: _v,
    inventory_ids: _i,
    config_content: _c,
    customer_name: _n,
    ...rest
  } = job(overrides);
  return rest;
};

export const event = (n: number, overrides: Partial<ProvisionEvent> = {}): ProvisionEvent => {
  const status = overrides.provisioning_status ?? 0;
  return {
    provision_event_id: 100 + n,
    provision_id: 9,
    event_number: n,
    event_name: `Task ${n}`,
    attempt: 1,
    host: "localhost",
    changed: n % 2 === 0,
    skipped: false,
    provisioning_status: status,
    status_label: STATUS_LABELS[status],
    provisioning_result_json: { changed: n % 2 === 0, msg: `message ${n}`, stdout: `output ${n}` },
    task_finished_at: "2025-03-01T10:00:05Z",
    created_at: "2025-03-01T10:00:05Z",
    ...overrides,
  };
};

export const liveEvent = (n: number, overrides: Partial<LiveEvent> = {}): LiveEvent => ({
  ...event(n, overrides),
  tasks_done: n,
  task_count: 4,
  ...overrides,
});

export const liveStatus = (status: number, overrides: Partial<LiveStatus> = {}): LiveStatus => ({
  provision_id: 9,
  provisioning_status: status,
  status_label: STATUS_LABELS[status],
  service_id: 21,
  customer_id: 7,
  provisioning_play: "mobile_activate",
  action: "activate",
  attempts: 1,
  retries: 0,
  tasks_done: status === 0 ? 4 : 0,
  task_count: 4,
  error: null,
  ...overrides,
});

export const dashboard = (overrides: Partial<ProvisionDashboard> = {}): ProvisionDashboard => ({
  counts: { success: 40, running: 2, failed: 3, failed_ignored: 0, queued: 5, cancelled: 1 },
  series: [
    { hour: "2025-03-01T08:00:00Z", succeeded: 10, failed: 0, success_rate: 1 },
    { hour: "2025-03-01T09:00:00Z", succeeded: 0, failed: 0, success_rate: null },
    { hour: "2025-03-01T10:00:00Z", succeeded: 6, failed: 2, success_rate: 0.75 },
  ],
  generated_at: "2025-03-01T10:30:00Z",
  ...overrides,
});
