/** Template fields shared by the templates screen and the add-item form. */
import type { InventoryItem, InventoryTemplate, SerialKind } from "./api";

export const ITEMTEXT_FIELDS = [
  "itemtext1",
  "itemtext2",
  "itemtext3",
  "itemtext4",
  "itemtext5",
  "itemtext6",
  "itemtext7",
  "itemtext8",
  "itemtext9",
  "itemtext10",
  "itemtext11",
  "itemtext12",
  "itemtext13",
  "itemtext14",
  "itemtext15",
  "itemtext16",
  "itemtext17",
  "itemtext18",
  "itemtext19",
  "itemtext20",
] as const;
export type ItemtextField = (typeof ITEMTEXT_FIELDS)[number];

export const labelKey = (field: ItemtextField) => `${field}_label` as const;

export const SERIAL_KINDS = ["iccid", "msisdn", "mac", "free"] as const satisfies readonly SerialKind[];

export const SERIAL_KIND_LABELS: Record<SerialKind, string> = {
  iccid: "ICCID (SIM card)",
  msisdn: "Phone number",
  mac: "MAC address",
  free: "Free text",
};

/** What the serial input asks for, by the template's serial kind. */
export const SERIAL_HINTS: Record<SerialKind, string> = {
  iccid: "19–20 digits starting 89, with a valid check digit",
  msisdn: "+<country code><number>, or a national number",
  mac: "aa:bb:cc:dd:ee:ff (any common format)",
  free: "1–64 characters",
};

/** The itemtexts a template labels (the ones worth a field on a form), in order. */
export function labelledFields(template: InventoryTemplate): { field: ItemtextField; label: string }[] {
  return ITEMTEXT_FIELDS.flatMap((field) => {
    const label = template[labelKey(field)];
    return label ? [{ field, label }] : [];
  });
}

export type ItemtextValues = Pick<InventoryItem, ItemtextField>;
