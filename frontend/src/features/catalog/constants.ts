import type { BillingPeriod, ProductCategory } from "./api";

export const CATEGORIES = ["standalone", "bundle", "addon", "promo"] as const satisfies readonly ProductCategory[];
export const BILLING_PERIODS = ["monthly", "weekly", "daily", "one_off"] as const satisfies readonly BillingPeriod[];

export const CATEGORY_LABELS: Record<ProductCategory, string> = {
  standalone: "Standalone",
  bundle: "Bundle",
  addon: "Add-on",
  promo: "Promo",
};

export const CATEGORY_COLORS: Record<ProductCategory, string> = {
  standalone: "blue",
  bundle: "grape",
  addon: "cyan",
  promo: "orange",
};

export const BILLING_PERIOD_LABELS: Record<BillingPeriod, string> = {
  monthly: "Monthly",
  weekly: "Weekly",
  daily: "Daily",
  one_off: "One-off",
};

/** Categories each picker may offer (docs/catalog.md). */
export const BUNDLE_CHILD_CATEGORIES = ["standalone", "addon"] as const satisfies readonly ProductCategory[];
export const ADDON_BASE_CATEGORIES = ["standalone", "bundle"] as const satisfies readonly ProductCategory[];
export const PROMO_TARGET_CATEGORIES = ["standalone", "bundle", "addon"] as const satisfies readonly ProductCategory[];
