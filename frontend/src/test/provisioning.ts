/** Provisioning jobs as the API sends them (for any feature's tests). */
import type { ProvisionDetail, ProvisionJob } from "@/features/provisioning";

/** The API's `status_label` for each `provisioning_status`. */
const LABELS = ["Success", "Running", "Failed", "Failed (ignored)", "Queued", "Cancelled", "Skipped"];

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
    status_label: LABELS[status],
    task_count: 4,
    tasks_done: 0,
    attempts: 1,
    retries: 0,
    max_retries: 3,
    cancel_requested: false,
    error: null,
    initiated_by: "user",
    initiated_by_user_id: 1,
    initiated_by_name: "Ada Admin",
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
