import { Divider, Select, SimpleGrid, TextInput } from "@mantine/core";
import { BILLING_PERIODS, BILLING_PERIOD_LABELS } from "../../constants";
import { MoneyInput } from "./fields";
import type { ProductFormState } from "./schema";

/** Retail and wholesale prices, currency, tax, billing period and contract term. */
export function PricesSection({ form }: { form: ProductFormState }) {
  return (
    <>
      <Divider label="Prices" labelPosition="left" />
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <MoneyInput form={form} field="retail_cost" label="Retail (per period)" required />
        <MoneyInput form={form} field="retail_setup_cost" label="Retail setup" required />
        <MoneyInput form={form} field="wholesale_cost" label="Wholesale (per period)" required />
        <MoneyInput form={form} field="wholesale_setup_cost" label="Wholesale setup" required />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <TextInput label="Currency" maxLength={3} data-testid="product-currency" {...form.getInputProps("currency")} />
        <TextInput
          label="Tax"
          inputMode="decimal"
          rightSection="%"
          data-testid="product-tax-percentage"
          {...form.getInputProps("tax_percentage")}
        />
        <Select
          label="Billing period"
          data={BILLING_PERIODS.map((value) => ({ value, label: BILLING_PERIOD_LABELS[value] }))}
          allowDeselect={false}
          data-testid="product-billing-period"
          {...form.getInputProps("billing_period")}
        />
        <TextInput
          label="Contract term (months)"
          inputMode="numeric"
          data-testid="product-contract-term"
          {...form.getInputProps("contract_term_months")}
        />
      </SimpleGrid>
    </>
  );
}
