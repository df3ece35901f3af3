import { Group, Switch } from "@mantine/core";
import type { ProductFormState } from "./schema";

/** Who may buy it (prepaid, postpaid) and whether it is on sale at all. */
export function EligibilitySection({ form }: { form: ProductFormState }) {
  return (
    <Group gap="xl">
      <Switch
        label="Prepaid eligible"
        data-testid="product-prepaid"
        {...form.getInputProps("prepaid_eligible", { type: "checkbox" })}
      />
      <Switch
        label="Postpaid eligible"
        data-testid="product-postpaid"
        {...form.getInputProps("postpaid_eligible", { type: "checkbox" })}
      />
      <Switch label="Enabled" data-testid="product-enabled" {...form.getInputProps("enabled", { type: "checkbox" })} />
    </Group>
  );
}
