import type { ContactType, CustomerAccountType, CustomerPaymentType, CustomerStatus } from "@/api";

export const CUSTOMER_STATUSES = [
  "Open",
  "Suspended",
  "Closed",
  "Archived",
] as const satisfies readonly CustomerStatus[];
/** Statuses a PATCH may set; Archived is reached with DELETE. */
export const SETTABLE_STATUSES = ["Open", "Suspended", "Closed"] as const satisfies readonly Exclude<
  CustomerStatus,
  "Archived"
>[];
export const PAYMENT_TYPES = ["prepaid", "postpaid"] as const satisfies readonly CustomerPaymentType[];
export const ACCOUNT_TYPES = ["Individual", "Business"] as const satisfies readonly CustomerAccountType[];
export const CONTACT_TYPES = ["Primary", "Billing", "Technical"] as const satisfies readonly ContactType[];

export const STATUS_COLORS: Record<CustomerStatus, string> = {
  Open: "teal",
  Suspended: "orange",
  Closed: "gray",
  Archived: "dark",
};

export const PAYMENT_TYPE_LABELS: Record<CustomerPaymentType, string> = {
  prepaid: "Prepaid",
  postpaid: "Postpaid",
};
