/** Test fixtures for inventory (used by *.test.tsx only). */
import type { InventoryDetail, InventoryTemplate } from "../api";

const noTexts = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`itemtext${i + 1}`, null]));
const noLabels = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`itemtext${i + 1}_label`, null]));

export const template = (overrides: Partial<InventoryTemplate> = {}): InventoryTemplate =>
  ({
    ...noLabels,
    inventory_template_id: 1,
    item: "SIM Card",
    serial_kind: "iccid",
    builtin: true,
    itemtext1_label: "ICCID",
    itemtext2_label: "IMSI",
    itemtext3_label: "PUK1",
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    ...overrides,
  }) as InventoryTemplate;

export const item = (overrides: Partial<InventoryDetail> = {}): InventoryDetail =>
  ({
    ...noTexts,
    inventory_id: 42,
    inventory_template_id: 1,
    item: "SIM Card",
    serial: "8944100000000000018",
    item_state: "new",
    customer_id: null,
    customer_name: null,
    service_id: null,
    service_name: null,
    quarantined_until: null,
    itemtext1: "8944100000000000018",
    itemtext2: "234150000000001",
    management_url: null,
    config_content: null,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    history: [
      {
        inventory_history_id: 1,
        from_state: null,
        to_state: "new",
        reason: "imported",
        customer_id: null,
        service_id: null,
        user_id: 1,
        created_at: "2024-01-01T00:00:00Z",
      },
    ],
    ...overrides,
  }) as InventoryDetail;
