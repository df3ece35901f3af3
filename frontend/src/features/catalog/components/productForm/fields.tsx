/** Small pieces the product form sections share. */
import { TextInput } from "@mantine/core";
import { useProductOptions } from "../../api";
import type { ProductFormState, ProductFormValues } from "./schema";

/** The first error under `field` or any of its items ("bundle_children.1"). */
export function errorUnder(form: ProductFormState, field: string) {
  const entry = Object.entries(form.errors).find(([k]) => k === field || k.startsWith(`${field}.`));
  return entry?.[1];
}

/** Products a picker offers ("Mobile 10GB (#3)"), never the product being edited. */
export function usePickerOptions(categories: Parameters<typeof useProductOptions>[0], selfId?: number) {
  const query = useProductOptions(categories, true);
  const options = (query.data?.items ?? [])
    .filter((p) => p.product_id !== selfId)
    .map((p) => ({ value: String(p.product_id), label: `${p.product_name} (#${p.product_id})` }));
  return { options, labelOf: (id: string) => options.find((o) => o.value === id)?.label ?? `#${id}` };
}

interface MoneyInputProps {
  form: ProductFormState;
  field: keyof ProductFormValues;
  label: string;
  required?: boolean;
  /** Shown when blank; "not rated" unless given. */
  placeholder?: string;
}

/** A decimal-string amount; its test id is `product-<field with dashes>`. */
export function MoneyInput({ form, field, label, required, placeholder }: MoneyInputProps) {
  return (
    <TextInput
      label={label}
      required={required}
      inputMode="decimal"
      placeholder={placeholder ?? (required ? "0.00" : "not rated")}
      data-testid={`product-${field.replaceAll("_", "-")}`}
      {...form.getInputProps(field)}
    />
  );
}
