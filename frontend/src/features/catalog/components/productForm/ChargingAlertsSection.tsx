import { Divider, SimpleGrid, Switch, TagsInput, TextInput } from "@mantine/core";
import { errorUnder, MoneyInput } from "./fields";
import { ALERTS_MAX, type ProductFormState } from "./schema";

/** What happens as allowances run down: rollover, usage alerts, low-balance alert, the play when used up. */
export function ChargingAlertsSection({ form }: { form: ProductFormState }) {
  return (
    <>
      <Divider label="Charging alerts" labelPosition="left" />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TagsInput
          label="Usage alerts (% of each allowance)"
          description={`E-mail the customer and alert staff once per period; up to ${ALERTS_MAX}`}
          placeholder="e.g. 80, then Enter"
          allowDuplicates
          clearable
          data-testid="product-allowance-alerts"
          {...form.getInputProps("allowance_alerts")}
          error={errorUnder(form, "allowance_alerts")}
        />
        <MoneyInput form={form} field="low_balance_alert" label="Low balance alert below" placeholder="no alert" />
        <TextInput
          label="Play when an allowance is used up"
          placeholder="e.g. bar_data"
          data-testid="product-exhausted-play"
          {...form.getInputProps("exhausted_play")}
        />
      </SimpleGrid>
      <Switch
        label="Roll unused allowance into the next period (up to one period's size)"
        data-testid="product-allowance-rollover"
        {...form.getInputProps("allowance_rollover", { type: "checkbox" })}
      />
    </>
  );
}
