import { Divider, SimpleGrid, TextInput } from "@mantine/core";
import { ChargingAlertsSection } from "./ChargingAlertsSection";
import { MoneyInput } from "./fields";
import type { ProductFormState } from "./schema";

/** Data, voice and SMS included per period, the rates charged beyond them, and their alerts. */
export function AllowancesSection({ form }: { form: ProductFormState }) {
  return (
    <>
      <Divider label="Allowances per period (blank = none included) and rates beyond them" labelPosition="left" />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label="Data (MB)"
          inputMode="numeric"
          data-testid="product-data-mb"
          {...form.getInputProps("data_mb")}
        />
        <TextInput
          label="Voice (minutes)"
          inputMode="numeric"
          data-testid="product-voice-minutes"
          {...form.getInputProps("voice_minutes")}
        />
        <TextInput label="SMS" inputMode="numeric" data-testid="product-sms" {...form.getInputProps("sms")} />
        <MoneyInput form={form} field="rate_per_mb" label="Rate per MB" />
        <MoneyInput form={form} field="rate_per_minute" label="Rate per minute" />
        <MoneyInput form={form} field="rate_per_sms" label="Rate per SMS" />
      </SimpleGrid>
      <ChargingAlertsSection form={form} />
    </>
  );
}
